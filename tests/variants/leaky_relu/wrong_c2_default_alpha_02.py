# Wrong (corpus 2, written apart from the grader): default alpha=0.2 instead of 0.01
def leaky_relu(z, alpha=0.2, name=None):
    return tf.maximum(alpha * z, z, name=name)

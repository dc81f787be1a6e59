# Wrong (corpus 2, written apart from the grader): ignores alpha, always 0.01
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(0.01 * z, z, name=name)

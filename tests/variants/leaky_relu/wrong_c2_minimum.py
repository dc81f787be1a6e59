# Wrong (corpus 2, written apart from the grader): tf.minimum instead of tf.maximum
def leaky_relu(z, alpha=0.01, name=None):
    return tf.minimum(alpha * z, z, name=name)

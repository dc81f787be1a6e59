# Wrong (corpus 2, written apart from the grader): values right but the op is never named
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(alpha * z, z)

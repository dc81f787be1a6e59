# Correct (corpus 2, written apart from the grader): default alpha taken from a module-level constant defined in the cell
DEFAULT_ALPHA = 0.01


def leaky_relu(z, alpha=DEFAULT_ALPHA, name=None):
    return tf.maximum(alpha * z, z, name=name)

# Correct (corpus 2, written apart from the grader): a first (wrong) attempt, then a corrected redefinition in the same cell: the last def wins
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(0.01 * z, z, name=name)   # first attempt


def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(alpha * z, z, name=name)

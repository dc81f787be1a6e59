# Wrong (corpus 2, written apart from the grader): a correct def, then a broken redefinition (ignores alpha) in the same cell: the last def wins
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(alpha * z, z, name=name)


def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(0.01 * z, z, name=name)   # "simplified" 

# Correct (corpus 2, written apart from the grader): tf.where then tf.identity to name the result
def leaky_relu(z, alpha=0.01, name=None):
    out = tf.where(z < 0, alpha * z, z)
    return tf.identity(out, name=name)

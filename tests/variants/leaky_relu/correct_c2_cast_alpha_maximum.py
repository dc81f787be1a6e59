# Correct (corpus 2, written apart from the grader): casts alpha to z.dtype, tf.maximum(z, alpha*z) (argument order swapped)
def leaky_relu(z, alpha=0.01, name=None):
    z = tf.convert_to_tensor(z)
    alpha_t = tf.constant(alpha, dtype=z.dtype)
    return tf.maximum(z, tf.multiply(alpha_t, z), name=name)

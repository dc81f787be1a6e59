# Correct: library-style name_scope whose scope string names the final op; alpha converted straight to z's dtype.
def leaky_relu(z, alpha=0.01, name=None):
    with tf.name_scope(name, "leaky_relu", [z]) as scope:
        z = tf.convert_to_tensor(z, name="z")
        alpha_t = tf.convert_to_tensor(alpha, dtype=z.dtype, name="alpha")
        return tf.maximum(tf.multiply(alpha_t, z), z, name=scope)

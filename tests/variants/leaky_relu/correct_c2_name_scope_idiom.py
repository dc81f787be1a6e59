# Correct (corpus 2, written apart from the grader): TF-internal idiom: with tf.name_scope(name, default, [z]) as scope; op named scope (trailing slash => exact name)
def leaky_relu(z, alpha=0.01, name=None):
    with tf.name_scope(name, "LeakyRelu", [z]) as scope:
        z = tf.convert_to_tensor(z, name="features")
        a = tf.cast(alpha, z.dtype)
        return tf.math.maximum(a * z, z, name=scope)

# Correct: tf.where(z >= 0, z, alpha * z); equals max(alpha*z, z) because 0 < alpha < 1.
def leaky_relu(z, alpha=0.01, name=None):
    z = tf.convert_to_tensor(z)
    return tf.where(tf.greater_equal(z, tf.zeros_like(z)), z, alpha * z, name=name)

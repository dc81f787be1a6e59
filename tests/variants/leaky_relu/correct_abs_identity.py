# Correct (equal up to float rounding): 0.5*(1+alpha)*z + 0.5*(1-alpha)*|z| == max(alpha*z, z).
def leaky_relu(z, alpha=0.01, name=None):
    z = tf.convert_to_tensor(z)
    return tf.add(0.5 * (1.0 + alpha) * z, 0.5 * (1.0 - alpha) * tf.abs(z), name=name)

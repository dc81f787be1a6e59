# Wrong (dtype clause "float32 and float64"): casts the input to float32, so float64 input loses precision/dtype.
def leaky_relu(z, alpha=0.01, name=None):
    z = tf.cast(z, tf.float32)
    return tf.maximum(alpha * z, z, name=name)

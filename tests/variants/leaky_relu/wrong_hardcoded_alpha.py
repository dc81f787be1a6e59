# Wrong (value clause "for any 0 < alpha < 1"): ignores the alpha argument, always uses 0.01.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(0.01 * z, z, name=name)

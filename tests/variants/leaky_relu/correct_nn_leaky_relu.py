# Correct (up to float32 rounding of alpha for float64 input): the built-in tf.nn.leaky_relu, which names its op `name`.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.nn.leaky_relu(z, alpha=alpha, name=name)

# Wrong (value clause: positive inputs must stay z): multiplies every element by alpha.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.multiply(alpha, z, name=name)

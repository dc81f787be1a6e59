# Wrong (value clause: must equal max(alpha*z, z)): computes tf.maximum(z, alpha), i.e. clamps z below at alpha.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(z, alpha, name=name)

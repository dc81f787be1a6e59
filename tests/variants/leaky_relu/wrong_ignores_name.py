# Wrong (name clause "the op is named `name`"): right values, but the name argument is never used.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(alpha * z, z)

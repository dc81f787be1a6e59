# Wrong (corpus 2, written apart from the grader): name goes to the multiply, not the returned op
def leaky_relu(z, alpha=0.01, name=None):
    scaled = tf.multiply(z, alpha, name=name)
    return tf.maximum(scaled, z)

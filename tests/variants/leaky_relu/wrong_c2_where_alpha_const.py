# Wrong (corpus 2, written apart from the grader): returns alpha (not alpha*z) for negatives
def leaky_relu(z, alpha=0.01, name=None):
    return tf.where(z > 0, z, alpha * tf.ones_like(z), name=name)

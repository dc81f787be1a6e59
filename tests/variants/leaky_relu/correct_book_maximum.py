# Correct: the book's exact idiom, tf.maximum(alpha * z, z, name=name).
def leaky_relu(z, alpha=0.01, name=None):
    return tf.maximum(alpha * z, z, name=name)

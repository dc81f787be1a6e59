# Wrong (corpus 2, written apart from the grader): alpha as a float32 constant: float64 input fails (type error)
def leaky_relu(z, alpha=0.01, name=None):
    a = tf.constant(alpha, dtype=tf.float32)
    return tf.maximum(a * z, z, name=name)

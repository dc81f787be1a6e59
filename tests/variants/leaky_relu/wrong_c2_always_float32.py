# Wrong (corpus 2, written apart from the grader): casts the result to float32: wrong dtype for float64 input
def leaky_relu(z, alpha=0.01, name=None):
    return tf.cast(tf.maximum(alpha * z, z), tf.float32, name=name)

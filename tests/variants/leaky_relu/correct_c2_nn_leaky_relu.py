# Correct (corpus 2, written apart from the grader): tf.nn.leaky_relu builtin, float32 alpha kept (allowed by contract tolerance)
def leaky_relu(z, alpha=0.01, name=None):
    return tf.nn.leaky_relu(z, alpha=alpha, name=name)

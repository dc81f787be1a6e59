# Wrong (corpus 2, written apart from the grader): name used as a name scope: returned op is 'name/Maximum'
def leaky_relu(z, alpha=0.01, name=None):
    with tf.name_scope(name or "leaky_relu"):
        return tf.maximum(alpha * z, z)

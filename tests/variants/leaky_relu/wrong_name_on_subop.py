# Wrong (name clause): `name` only opens a name_scope, so the returned op is "<name>/Maximum", not `name`.
def leaky_relu(z, alpha=0.01, name=None):
    with tf.name_scope(name):
        return tf.maximum(alpha * z, z)

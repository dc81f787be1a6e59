# Hand-written layers: tf.get_variable kernel (the given initializer) and zero bias, tf.matmul + bias, then the activation.
def _dense(x, units, activation, initializer, scope):
    with tf.variable_scope(scope):
        fan_in = int(x.shape[-1])
        kernel = tf.get_variable("kernel", shape=[fan_in, units], dtype=x.dtype, initializer=initializer)
        bias = tf.get_variable("bias", shape=[units], dtype=x.dtype, initializer=tf.zeros_initializer())
        z = tf.matmul(x, kernel) + bias
        return z if activation is None else activation(z)


def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, default_name="dnn"):
        out = inputs
        for k in range(n_hidden_layers):
            out = _dense(out, n_neurons, activation, initializer, "hidden" + str(k + 1))
    return out

# Ignores `activation`: every layer uses tf.nn.elu, whatever the caller passes.
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            inputs = tf.layers.dense(inputs, n_neurons, activation=tf.nn.elu,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return inputs

# Forgets to chain the layers: every layer is applied to `inputs`, so the result is one layer deep.
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            hidden = tf.layers.dense(inputs, n_neurons, activation=activation,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return hidden

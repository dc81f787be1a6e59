# Recursion: a helper stacks one layer and calls itself for the rest, all inside the one variable scope.
def _stack(x, depth, layer, n_neurons, activation, initializer):
    if layer > depth:
        return x
    x = tf.layers.dense(x, n_neurons, activation=activation, kernel_initializer=initializer,
                        name="hidden{}".format(layer))
    return _stack(x, depth, layer + 1, n_neurons, activation, initializer)


def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        return _stack(inputs, n_hidden_layers, 1, n_neurons, activation, initializer)

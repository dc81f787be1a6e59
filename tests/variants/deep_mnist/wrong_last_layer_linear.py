# The last hidden layer has no activation (as if it were an output layer): it returns z, not activation(z).
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            last = layer == n_hidden_layers - 1
            inputs = tf.layers.dense(inputs, n_neurons, activation=None if last else activation,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return inputs

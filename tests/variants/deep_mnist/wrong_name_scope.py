# tf.name_scope instead of tf.variable_scope: tf.layers variables ignore name scopes, so the kernel is hidden1/kernel.
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.name_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            inputs = tf.layers.dense(inputs, n_neurons, activation=activation,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return inputs

# Adds the softmax layer's logits (5 units, "outputs") on top and returns them instead of the last hidden layer.
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            inputs = tf.layers.dense(inputs, n_neurons, activation=activation,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return tf.layers.dense(inputs, 5, kernel_initializer=initializer, name="outputs")

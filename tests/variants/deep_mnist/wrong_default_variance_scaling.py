# Default initializer tf.variance_scaling_initializer() (scale 1.0: variance 1 / fan_in), not He's 2 / fan_in.
def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu,
        initializer=tf.variance_scaling_initializer()):
    with tf.variable_scope(name, "dnn"):
        for layer in range(n_hidden_layers):
            inputs = tf.layers.dense(inputs, n_neurons, activation=activation,
                                     kernel_initializer=initializer, name="hidden%d" % (layer + 1))
        return inputs

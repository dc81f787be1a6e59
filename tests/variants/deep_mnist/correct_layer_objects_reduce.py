# tf.layers.Dense objects built first (a list), then applied in turn with functools.reduce.
from functools import reduce


def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    with tf.variable_scope(name, default_name="dnn"):
        layers = [tf.layers.Dense(n_neurons, activation=activation, kernel_initializer=initializer,
                                  name="hidden%d" % i) for i in range(1, n_hidden_layers + 1)]
        return reduce(lambda x, layer: layer(x), layers, inputs)

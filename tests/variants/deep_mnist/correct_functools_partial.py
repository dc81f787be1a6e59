# functools.partial binds the activation and the kernel initializer; default_name= spelled out; layers counted from 1.
from functools import partial


def dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init):
    dense_layer = partial(tf.layers.dense, units=n_neurons, activation=activation, kernel_initializer=initializer)
    hidden = inputs
    with tf.variable_scope(name, default_name="dnn"):
        for i in range(1, n_hidden_layers + 1):
            hidden = dense_layer(hidden, name=f"hidden{i}")
    return hidden

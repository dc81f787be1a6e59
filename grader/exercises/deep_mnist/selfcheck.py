"""`deep_mnist`, public self-check (shipped to students; runs in their kernel): `grader.check("deep_mnist")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "deep_mnist"
NOTEBOOK = "07_exercise_8_deep_mnist"
FUNCTION = "dnn"
SIGNATURE = "dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, activation=tf.nn.elu, initializer=he_init)"
POSITION = 0


def _kernels(tf, graph):
    variables = graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
    return [v for v in variables if len(v.shape) == 2], [v for v in variables if len(v.shape) == 1]


def check(fn) -> list[str]:
    tf = tensorflow()
    rng = np.random.RandomState(0)
    x = rng.normal(size=(4, 6)).astype(np.float32)
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(3)
        inputs = tf.placeholder(tf.float32, shape=(None, 6), name="inputs")
        out = fn(inputs, n_hidden_layers=2, n_neurons=3, name="small", activation=tf.nn.relu)
        kernels, biases = _kernels(tf, graph)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            got, weights, offsets = sess.run([out, kernels, biases], {inputs: x})
    shapes = [tuple(k.shape) for k in weights]
    if shapes != [(6, 3), (3, 3)]:
        raise Failed(_("dnn(inputs of width 6, n_hidden_layers=2, n_neurons=3) made kernels of shapes {shapes}; "
                       "expected {expected}: one dense layer per hidden layer, each of n_neurons units")
                     .format(shapes=shapes, expected=[(6, 3), (3, 3)]))
    outside = [v.op.name for v in kernels + biases if not v.op.name.startswith("small/")]
    if outside:
        raise Failed(_("with name=\"small\" the variable {variable} is not under the scope small/: "
                       "build the layers inside tf.variable_scope(name, default_name=\"dnn\")")
                     .format(variable=outside[0]))
    h = x.astype(np.float64)
    for w, b in zip(weights, offsets if len(offsets) == len(weights) else [0.0] * len(weights)):
        h = np.maximum(h @ w + b, 0.0)
    expect_close(_("dnn(..., activation=tf.nn.relu): the output is relu(x·W + b), layer after layer"), got, h)
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(4)
        inputs = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        out = fn(inputs)
        kernels, _biases = _kernels(tf, graph)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(kernels[0]) if kernels else None
    if len(kernels) != 5 or out.shape.as_list()[-1] != 100:
        raise Failed(_("dnn(X) with its defaults made {layers} layers and an output of width {width}; expected "
                       "5 hidden layers of 100 neurons").format(layers=len(kernels), width=out.shape.as_list()[-1]))
    variance, he = float(np.var(first)), 2.0 / 784
    if not 0.8 * he <= variance <= 1.2 * he:
        raise Failed(_("the first kernel's initial weights have variance {variance}; He initialisation gives "
                       "2 / fan_in = 2 / 784 = {he} (use the notebook's he_init as the default initializer)")
                     .format(variance=f"{variance:.3g}", he=f"{he:.3g}"))
    return [_("dnn(inputs, 2, 3, name=\"small\", activation=tf.nn.relu) builds two layers of 3 neurons under "
              "small/"),
            _("with its defaults: 5 hidden layers of 100 neurons, He-initialised (variance 2 / fan_in)")]

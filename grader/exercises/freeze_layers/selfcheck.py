"""`freeze_layers`, public self-check (shipped to students; runs in their kernel): `grader.check("freeze_layers")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

from grader.selfcheck import Failed, expect_close, tensorflow

ID = "freeze_layers"
NOTEBOOK = "04_layer_reuse"
FUNCTION = "frozen_training_op"
SIGNATURE = 'frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs")'
POSITION = 1  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    with tf.Graph().as_default() as graph:
        lower = tf.Variable(1.0, name="hidden1/w")
        upper = tf.Variable(1.0, name="outputs/w")
        op = fn(tf.train.GradientDescentOptimizer(0.1), tf.square(lower * upper - 3.0), train_scope="outputs")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op)
            got_lower, got_upper = sess.run([lower, upper])
    if got_lower != 1.0:
        raise Failed(f"hidden1/w changed to {got_lower:.4g} although train_scope='outputs': it must stay frozen")
    expect_close("outputs/w after one step of SGD(0.1) (gradient -4)", got_upper, 1.4)
    return ["only the variables train_scope matches are trained"]

"""`regularization_losses`, public self-check (shipped to students; runs in their kernel):
`grader.check("regularization_losses")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import N_, _

ID = "regularization_losses"
NOTEBOOK = "06_regularization"
FUNCTION = "regularized_loss"
SIGNATURE = 'regularized_loss(base_loss)'
POSITION = 0  # its place among the exercises of its notebook

HINT = N_("the loss must be base_loss plus the sum of every tensor in the collection "
        "tf.GraphKeys.REGULARIZATION_LOSSES of the current graph")


def _value(tf, fn, terms) -> float:
    """fn(base_loss = 1.5) in a graph whose collection holds `terms` (computed from a small weight matrix)."""
    w_value = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    with tf.Graph().as_default() as graph:
        w = tf.constant(w_value, name="w")
        for kind, scale in terms:
            penalty = tf.reduce_sum(tf.abs(w)) if kind == "l1" else tf.reduce_sum(tf.square(w))
            tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, scale * penalty)
        loss = fn(tf.constant(1.5, name="base_loss"))
        with tf.Session(graph=graph) as sess:
            return sess.run(loss)


def check(fn) -> list[str]:
    tf = tensorflow()
    l1, l2 = 6.5, 14.25  # sum |w| and sum w**2 of the matrix above
    value = _value(tf, fn, [("l1", 0.1), ("l2", 0.05)])
    want = 1.5 + 0.1 * l1 + 0.05 * l2
    if np.shape(value) != ():
        raise Failed(_("regularized_loss returned a value of shape {shape}; expected a scalar")
                     .format(shape=np.shape(value)))
    if np.isclose(value, 1.5):
        raise Failed(_("with base_loss 1.5 and two terms in the collection (0.65 and 0.7125), the loss is {value}, "
                       "the base loss alone; expected {want}: {hint}")
                     .format(value=f"{value:.6g}", want=f"{want:.6g}", hint=_(HINT)))
    expect_close(_("base_loss 1.5 plus the collection's two terms 0.65 and 0.7125 ({hint})").format(hint=_(HINT)),
                 value, want)
    value = _value(tf, fn, [])
    expect_close(_("with an empty collection (no regularizer), the loss is base_loss itself"), value, 1.5)
    return [_("base_loss plus the sum of the collection's terms (two terms, and an empty collection)")]

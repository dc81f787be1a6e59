"""`dropout`, public self-check (shipped to students; runs in their kernel): `grader.check("dropout")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "dropout"
NOTEBOOK = "06_regularization"
FUNCTION = "dropout_layer"
SIGNATURE = 'dropout_layer(inputs, rate, training)'
POSITION = 1  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    x = np.full((100, 200), 2.0, dtype=np.float32)
    for rate in (0.2, 0.6):
        with tf.Graph().as_default() as graph:
            tf.set_random_seed(11)  # a seed: where TensorFlow's op determinism is on, unseeded random ops fail
            inputs = tf.placeholder(tf.float32, shape=(None, 200), name="inputs")
            training = tf.placeholder_with_default(False, shape=(), name="training")
            out = fn(inputs, rate, training)
            with tf.Session(graph=graph) as sess:
                on = sess.run(out, {inputs: x, training: True})
                again = sess.run(out, {inputs: x, training: True})
                off = sess.run(out, {inputs: x, training: False})
                default = sess.run(out, {inputs: x})
        if np.shape(on) != x.shape:
            raise Failed(_("the output has shape {shape}; expected the shape of the inputs {expected}")
                         .format(shape=np.shape(on), expected=x.shape))
        zeros = float(np.mean(on == 0))
        if zeros in (0.0, 1.0):
            raise Failed(_("with rate={rate} and training=True, {share} of the outputs are 0; expected about "
                           "{expected}").format(rate=rate, share=f"{zeros:.0%}", expected=f"{rate:.0%}"))
        rows, columns = (on == 0).all(axis=1) | (on != 0).all(axis=1), (on == 0).all(axis=0) | (on != 0).all(axis=0)
        if rows.all() or columns.all():
            raise Failed((_("with rate={rate} every row is either dropped or kept as a whole: draw one random "
                            "number per element, not per row or column") if rows.all() else
                          _("with rate={rate} every column is either dropped or kept as a whole: draw one random "
                            "number per element, not per row or column")).format(rate=rate))
        if np.array_equal(on == 0, again == 0):
            raise Failed(_("with rate={rate}, two runs with training=True dropped the same elements: draw a new "
                           "mask at every run").format(rate=rate))
        if abs(zeros - rate) > 0.03:
            extra = (_(" (that is 1 - rate: `rate` is the fraction dropped, not kept)")
                     if abs(zeros - (1 - rate)) <= 0.03 else "")
            raise Failed(_("with rate={rate} and training=True, {share} of the outputs are 0; expected about "
                           "{expected}").format(rate=rate, share=f"{zeros:.1%}", expected=f"{rate:.0%}") + extra)
        kept = on[on != 0]
        expect_close(_("with rate={rate}, an input of 2.0 that is kept becomes 2 / (1 - rate)").format(rate=rate),
                     kept[:5],
                     np.full(min(5, kept.size), 2.0 / (1 - rate)))
        for what, value in ((_("fed training=False"), off), (_("training left at its default (False)"), default)):
            if np.shape(value) != x.shape or not np.array_equal(value, x):
                raise Failed(_("with {what}, the output must be the inputs unchanged; found values {found} where "
                               "all inputs are 2.0 (no dropout at test time)")
                             .format(what=what, found=np.unique(value)[:4].tolist()))
    return [_("with training=True about `rate` of the outputs are 0 and the others scaled by 1/(1 - rate) "
              "(rates 0.2 and 0.6)"), _("with training=False (fed or by default) the output is the inputs")]

"""`clipped_apply_gradients`, public self-check (shipped to students; runs in their kernel): `grader.check("clipped_apply_gradients")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "clipped_apply_gradients"
NOTEBOOK = "03_gradient_clipping"
FUNCTION = "clipped_training_op"
SIGNATURE = 'clipped_training_op(optimizer, loss, threshold=1.0)'
POSITION = 0  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    slope = np.array([3.0, -0.5, 0.25, -4.0], dtype=np.float32)
    for threshold in (1.0, 0.3):
        with tf.Graph().as_default() as graph:
            w = tf.Variable(np.zeros(4, dtype=np.float32), name="w")
            loss = tf.reduce_sum(w * slope)  # its gradient is `slope`
            op = fn(tf.train.GradientDescentOptimizer(1.0), loss, threshold)
            with tf.Session(graph=graph) as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(op)
                after = sess.run(w)
        try:
            expect_close(_("with gradients {gradients}, threshold {threshold} and SGD(learning rate 1), the step")
                         .format(gradients=slope.tolist(), threshold=threshold),
                         after, -np.clip(slope, -threshold, threshold))
        except Failed as failure:
            raise Failed(_("{failure}. Clip each gradient with tf.clip_by_value(grad, -threshold, threshold) "
                           "(clip_by_norm rescales the whole tensor instead)").format(failure=failure)) from None
    return [_("each gradient clipped elementwise to [-threshold, threshold] (thresholds 1.0 and 0.3) and applied")]

"""`bn_update_ops`, public self-check (shipped to students; runs in their kernel): `grader.check("bn_update_ops")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "bn_update_ops"
NOTEBOOK = "02_batch_norm"
FUNCTION = "bn_training_op"
SIGNATURE = 'bn_training_op(optimizer, loss)'
POSITION = 0  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    X = np.linspace(-1.0, 2.0, 12).reshape(4, 3).astype(np.float32)
    with tf.Graph().as_default() as graph:
        training = tf.placeholder_with_default(False, shape=(), name="training")
        hidden = tf.layers.dense(tf.constant(X), 2, kernel_initializer=tf.constant_initializer(0.5))
        bn = tf.layers.batch_normalization(hidden, training=training, momentum=0.9)
        loss = tf.reduce_mean(tf.square(bn - 1.0))
        op = fn(tf.train.GradientDescentOptimizer(0.1), loss)
        if isinstance(op, (list, tuple)):
            raise Failed(_("bn_training_op returned a list; return one op (tf.group can combine several)"))
        moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
        kernel = [v for v in tf.trainable_variables() if "kernel" in v.name][0]
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op, {training: True})
            mean, weights = sess.run([moving_mean, kernel])
    batch_mean = (X @ np.full((3, 2), 0.5)).mean(axis=0)
    if np.allclose(mean, 0.0):
        raise Failed(_("the moving mean did not change after one training step: are the ops in "
                       "tf.GraphKeys.UPDATE_OPS run with the training op?"))
    expect_close(_("the moving mean after one step (momentum 0.9)"), mean, 0.1 * batch_mean)
    if np.allclose(weights, 0.5):
        raise Failed(_("the weights did not change after one training step: does your op run "
                       "optimizer.minimize(loss)?"))
    return [_("one run updates the moving mean (batch-norm update ops) and the weights (one optimizer step)")]

"""clipped_apply_gradients, builder side: the student's clipped_training_op on the grader's graphs."""
from __future__ import annotations

import numpy as np

from grader.i18n import _

HIDDEN_SEED = 52711
# (threshold passed, learning rate, momentum or None, runs): None means "call without threshold".
CASES = ((0.5, 1.0, None, 1), (None, 1.0, None, 1), (0.05, 0.1, 0.9, 2), (2.5, 1.0, None, 1))


def small_graph():
    """Gradients from tiny to large, so that clipping changes some elements and not others."""
    from grader.graphs import tf
    rng = np.random.RandomState(HIDDEN_SEED)
    X = tf.constant(rng.normal(0.0, 3.0, size=(12, 5)).astype(np.float32))
    target = tf.constant(rng.normal(size=(12, 2)).astype(np.float32))
    init = tf.random_normal_initializer(stddev=1.5, seed=3)
    hidden = tf.layers.dense(X, 4, activation=tf.nn.elu, name="hidden1", kernel_initializer=init)
    output = tf.layers.dense(hidden, 2, name="outputs", kernel_initializer=init,
                             bias_initializer=tf.constant_initializer(0.5))
    return {"loss": tf.reduce_mean(tf.square(output - target)) * 3.0}


def describe(case) -> str:
    threshold, lr, momentum, runs = case
    how = _("the default threshold") if threshold is None else f"threshold={threshold}"
    opt = (f"SGD lr={lr}" if momentum is None else
           _("Momentum lr={lr} momentum={momentum}, {runs} runs").format(lr=lr, momentum=momentum, runs=runs))
    return f"{how}, {opt}"


def build_step(fn, workdir):
    from grader.graphs import build_op, tf
    info, blobs = {}, {}
    for i, (threshold, lr, momentum, _runs) in enumerate(CASES):
        def call(h):
            optimizer = (tf.train.GradientDescentOptimizer(lr) if momentum is None
                         else tf.train.MomentumOptimizer(lr, momentum))
            try:
                return fn(optimizer, h["loss"]) if threshold is None else fn(optimizer, h["loss"], threshold)
            except NotImplementedError:
                raise
            except Exception as error:
                error.grader_called_with = _("the default threshold") if threshold is None \
                    else f"threshold={threshold}"
                raise
        info[f"c{i}"], blobs[f"c{i}"] = build_op(small_graph, call, "clipped_training_op")
    return info, blobs


def build_trained(fn, workdir):
    from grader.graphs import build_op, tf
    from .model import HYPERPARAMETERS as BOOK, scaffold
    info, blob = build_op(scaffold, lambda h: fn(tf.train.GradientDescentOptimizer(BOOK["learning_rate"]), h["loss"],
                                                 BOOK["threshold"]), "clipped_training_op")
    return {"model": info}, {"model": blob}


BUILDS = {"step": build_step, "trained": build_trained}

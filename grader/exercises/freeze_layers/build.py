"""freeze_layers, builder side: the student's frozen_training_op on the grader's networks."""
from __future__ import annotations

import numpy as np

HIDDEN_SEED = 90125
LAYERS = ("hidden1", "hidden2", "hidden3", "hidden4", "outputs")
CASES = (None, "outputs", "hidden[12]", "hidden[34]|outputs")  # None: call without train_scope


def describe(scope) -> str:
    from grader.i18n import _
    return _("the default train_scope 'hidden[34]|outputs'") if scope is None else f"train_scope={scope!r}"


def small_graph():
    from grader.graphs import tf
    rng = np.random.RandomState(HIDDEN_SEED)
    hidden = tf.constant(rng.normal(size=(8, 6)).astype(np.float32))
    target = tf.constant(rng.normal(size=(8, 3)).astype(np.float32))
    init = tf.variance_scaling_initializer(seed=5)
    for name in LAYERS:
        below = hidden
        hidden = tf.layers.dense(hidden, 3 if name == "outputs" else 5, name=name, kernel_initializer=init,
                                 activation=None if name == "outputs" else tf.nn.elu)
        if name in ("hidden2", "hidden3"):
            # Non-trainable variables inside the scopes; in inference mode they get gradients too.
            with tf.variable_scope(name):
                hidden = tf.layers.batch_normalization(hidden, training=name == "hidden3")
    # A layer whose name holds "outputs" in the middle: re.search would match it, tf.get_collection does not.
    hidden += tf.layers.dense(below, 3, name="aux_outputs", kernel_initializer=init)
    # One whose name only begins like a match: "hidden[34]" matches it, "(hidden[34])/" does not.
    hidden += tf.layers.dense(below, 3, name="hidden4_side", kernel_initializer=init)
    return {"loss": tf.reduce_mean(tf.square(hidden - target))}


def _call(fn, scope, tf, learning_rate):
    def call(h):
        optimizer = tf.train.GradientDescentOptimizer(learning_rate)
        try:
            return fn(optimizer, h["loss"]) if scope is None else fn(optimizer, h["loss"], train_scope=scope)
        except NotImplementedError:
            raise
        except Exception as error:
            error.grader_called_with = describe(scope)
            raise
    return call


def build_step(fn, workdir):
    from grader.graphs import build_op, tf
    info, blobs = {}, {}
    for i, scope in enumerate(CASES):
        info[f"f{i}"], blobs[f"f{i}"] = build_op(small_graph, _call(fn, scope, tf, 0.5), "frozen_training_op")
    return info, blobs


def build_trained(fn, workdir):
    from grader.graphs import build_op, tf
    from .model import HYPERPARAMETERS as BOOK, scaffold
    info, blob = build_op(scaffold, _call(fn, None, tf, BOOK["learning_rate"]), "frozen_training_op")
    return {"model": info}, {"model": blob}


BUILDS = {"step": build_step, "trained": build_trained}

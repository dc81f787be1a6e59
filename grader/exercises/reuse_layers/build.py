"""reuse_layers, builder side: the student's restore_reused_layers, given a real session whose runs
are recorded, restoring from a checkpoint the builder writes (the judge replays the runs against
its own copy of the checkpoint)."""
from __future__ import annotations

import os
from functools import partial

import numpy as np

HIDDEN_SEED = 60221


def layers(spec, seed):
    """Dense layers named as in `spec` [(name, units, batch_norm?)], from a fixed input."""
    from grader.graphs import tf
    hidden = tf.constant(np.random.RandomState(HIDDEN_SEED).normal(size=(4, 6)).astype(np.float32))
    init = tf.random_normal_initializer(seed=seed)
    for name, units, batch_norm in spec:
        hidden = tf.layers.dense(hidden, units, name=name, kernel_initializer=init, bias_initializer=init)
        if batch_norm:
            with tf.variable_scope(name):
                hidden = tf.layers.batch_normalization(hidden, training=None, moving_mean_initializer=init)
    return {}


BOOK_OLD = [("hidden1", 5, False), ("hidden2", 5, True), ("hidden3", 4, False), ("hidden4", 4, False),
            ("hidden5", 3, False), ("outputs", 2, False)]
BOOK_NEW = [("hidden1", 5, False), ("hidden2", 5, True), ("hidden3", 4, False), ("hidden4", 7, False),
            ("outputs", 3, False)]
OTHER_OLD = [("base/layer_a", 5, False), ("base/layer_b", 4, True), ("base/layer_c", 3, False)]
OTHER_NEW = [("base/layer_a", 5, False), ("base/layer_b", 4, True), ("base/layer_c", 6, False),
             ("head/base/layer_a_copy", 2, False)]
# Names that only begin like a match ("hidden2x" for "hidden[123]"): tf.get_collection matches them
# too, a student who appends "/" to the scope does not.
PREFIX_OLD = [("hidden1", 5, False), ("hidden2x", 4, True), ("hidden3", 4, False), ("outputs", 2, False)]
PREFIX_NEW = [("hidden1", 5, False), ("hidden2x", 4, True), ("hidden3", 4, False), ("outputs", 3, False)]
# (old layers, new layers, scope passed or None for the default)
CASES = ((BOOK_OLD, BOOK_NEW, None), (BOOK_OLD, BOOK_NEW, "hidden[12]"), (OTHER_OLD, OTHER_NEW, "base/layer_[ab]"),
         (PREFIX_OLD, PREFIX_NEW, None))


def describe(scope) -> str:
    from grader.i18n import _
    return _("the default scope 'hidden[123]'") if scope is None else f"scope={scope!r}"


def old_model(i: int):
    return partial(layers, CASES[i][0], 1)


def new_model(i: int):
    return partial(layers, CASES[i][1], 2)


def _call(fn, scope, path):
    def call(handles, sess):
        try:
            return fn(sess, path) if scope is None else fn(sess, path, scope=scope)
        except NotImplementedError:
            raise
        except Exception as error:
            error.grader_called_with = describe(scope)
            raise
    return call


def build_restore(fn, workdir):
    from grader.graphs import build_recorded, save_untrained
    info, blobs = {}, {}
    for i, (_, _, scope) in enumerate(CASES):
        path = save_untrained(old_model(i), os.path.join(workdir, f"reuse-{i}.ckpt"))
        info[f"r{i}"], built = build_recorded(new_model(i), _call(fn, scope, path), path, f"r{i}")
        blobs.update(built)
    return info, blobs


def build_trained(fn, workdir):
    """Restoring from the judge's pretrained checkpoint (a copy: the judge replays against its own),
    so that a function reading the checkpoint's values in Python gets the real ones."""
    from grader.graphs import build_recorded, pretrained_mlp, save_untrained
    from .model import scaffold
    path = os.path.join(workdir, "provided", "model.ckpt")
    if not os.path.exists(path + ".index"):
        path = save_untrained(pretrained_mlp, os.path.join(workdir, "pretrained.ckpt"))
    info, blobs = build_recorded(scaffold, _call(fn, None, path), path, "model")
    return {"model": info}, blobs


BUILDS = {"restore": build_restore, "trained": build_trained}

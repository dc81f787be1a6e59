"""Exercise `reuse_layers`: restore_reused_layers(sess, checkpoint_path, scope="hidden[123]") restores
exactly the global variables matching `scope` (as tf.get_collection matches) and returns them."""
from __future__ import annotations

import os

import numpy as np

from .base import Check, Exercise, ProbeContext, Values, Verdict, called_with, fmt, training_judge

HIDDEN_SEED = 60221


def _layers(tf, spec, seed, training=None):
    """Dense layers named as in `spec` [(name, units, batch_norm?)], from a fixed input."""
    hidden = tf.constant(np.random.RandomState(HIDDEN_SEED).normal(size=(4, 6)).astype(np.float32))
    init = tf.random_normal_initializer(seed=seed)
    for name, units, batch_norm in spec:
        hidden = tf.layers.dense(hidden, units, name=name, kernel_initializer=init, bias_initializer=init)
        if batch_norm:
            with tf.variable_scope(name):
                hidden = tf.layers.batch_normalization(hidden, training=training,
                                                       moving_mean_initializer=init)
    return hidden


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


def _describe(scope) -> str:
    return "the default scope 'hidden[123]'" if scope is None else f"scope={scope!r}"


def probe_restore(fn, ctx: ProbeContext) -> Values:
    from grader.harness import fresh_graph, new_session, tf, variable_values
    out: Values = {}
    for i, (old, new, scope) in enumerate(CASES):
        with fresh_graph() as graph:
            _layers(tf, old, seed=1)
            saver, init = tf.train.Saver(), tf.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            path = saver.save(sess, os.path.join(ctx.workdir, f"reuse-{i}.ckpt"))
            out.update(variable_values(sess, f"r{i}.checkpoint:"))
        with fresh_graph() as graph:
            _layers(tf, new, seed=2)
            init = tf.global_variables_initializer()
        with graph.as_default(), new_session(graph) as sess:
            sess.run(init)
            out.update(variable_values(sess, f"r{i}.before:"))
            with called_with(_describe(scope)):
                returned = fn(sess, path) if scope is None else fn(sess, path, scope=scope)
            out.update(variable_values(sess, f"r{i}.after:"))
        names = [getattr(v, "op", v).name if hasattr(v, "op") else repr(v) for v in (returned or [])] \
            if isinstance(returned, (list, tuple, set)) else []
        out[f"r{i}.returned"] = np.array(sorted(names), dtype=str)
        out[f"r{i}.returned_type"] = np.array(type(returned).__name__)
    return out


def judge_restore(got: Values, want: Values) -> Verdict:
    for i, (_, _, scope) in enumerate(CASES):
        prefix = f"r{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            w, b = np.asarray(want[key]), np.asarray(want[f"r{i}.before:{name}"])
            g = np.asarray(got.get(key, b))
            if g.shape == w.shape and np.allclose(g, w, rtol=1e-6, atol=1e-7):
                continue
            should_restore = not np.allclose(w, b)
            if should_restore and np.allclose(g, b):
                return Verdict(False, f"with {_describe(scope)}: {name} still holds its initial value "
                               f"{fmt(b)}, but it matches the scope and must be restored from the checkpoint "
                               f"({fmt(w)}). Restore every global variable the scope matches, trainable or not "
                               "(tf.GraphKeys.GLOBAL_VARIABLES, as tf.get_collection(..., scope=scope) matches: "
                               "the scope is a regular expression matched from the start of each name, so "
                               "'hidden[123]' matches 'hidden2x/kernel' too).")
            if not should_restore:
                return Verdict(False, f"with {_describe(scope)}: {name} does not match the scope, so it must keep "
                               f"its value {fmt(b)}; after your function it holds {fmt(g)}.")
            return Verdict(False, f"with {_describe(scope)}: {name} holds {fmt(g)}; expected the checkpoint's "
                           f"{fmt(w)}.")
        mine, ref = [str(n) for n in got[f"r{i}.returned"]], [str(n) for n in want[f"r{i}.returned"]]
        if mine != ref:
            kind = str(got[f"r{i}.returned_type"])
            strings = bool(mine) and all(n.startswith("'") for n in mine)
            return Verdict(False, f"with {_describe(scope)}: your function returned "
                           f"{'a ' + kind + ' ' + str(mine) if mine else kind}; expected the list of restored "
                           f"variables {ref}" + (" (the tf.Variable objects themselves, not their names)"
                                                 if strings else "") + ".")
    return Verdict(True, "Restores exactly the global variables the scope matches (batch-norm moving statistics "
                         f"included), leaves the others untouched and returns them, for {len(CASES)} cases "
                         "(3 scopes, 3 networks).")


def probe_trained(fn, ctx: ProbeContext) -> Values:
    from grader.harness import book_frozen_op, train_reused_mlp
    return train_reused_mlp(fn, book_frozen_op, ctx.budget, ctx.workdir)


EXERCISE = Exercise(
    id="reuse_layers",
    notebook="04_layer_reuse",
    function="restore_reused_layers",
    checks=(
        Check("restore", "restores exactly the variables the scope matches", 1.5, probe_restore, judge_restore),
        Check("trained", "reusing the pretrained layers reaches the reference's accuracy", 0.5, probe_trained,
              training_judge(2.0, "new model on the pretrained hidden1-3"), training=True),
    ),
)

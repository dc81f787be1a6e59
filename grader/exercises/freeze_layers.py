"""Exercise `freeze_layers`: frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs") minimizes
`loss` updating only the trainable variables whose names match `train_scope`."""
from __future__ import annotations

import numpy as np

from .base import (Check, Exercise, ProbeContext, Values, Verdict, called_with, first_difference, fmt,
                   training_judge)

HIDDEN_SEED = 90125
LAYERS = ("hidden1", "hidden2", "hidden3", "hidden4", "outputs")
CASES = (None, "outputs", "hidden[12]", "hidden[34]|outputs")  # None: call without train_scope


def _describe(scope) -> str:
    return "the default train_scope 'hidden[34]|outputs'" if scope is None else f"train_scope={scope!r}"


def _graph(tf):
    rng = np.random.RandomState(HIDDEN_SEED)
    hidden = tf.constant(rng.normal(size=(8, 6)).astype(np.float32))
    target = tf.constant(rng.normal(size=(8, 3)).astype(np.float32))
    init = tf.variance_scaling_initializer(seed=5)
    for i, name in enumerate(LAYERS):
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
    return tf.reduce_mean(tf.square(hidden - target))


def probe_step(fn, ctx: ProbeContext) -> Values:
    from grader.harness import as_single_op, fresh_graph, new_session, tf, variable_values
    out: Values = {}
    for i, scope in enumerate(CASES):
        with fresh_graph() as graph:
            loss = _graph(tf)
            optimizer = tf.train.GradientDescentOptimizer(0.5)
            with called_with(_describe(scope)):
                result = fn(optimizer, loss) if scope is None else fn(optimizer, loss, train_scope=scope)
            op = as_single_op(result, "frozen_training_op")
            init = tf.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            before = variable_values(sess)
            sess.run(op)
            after = variable_values(sess)
        for name in before:  # every variable: frozen ones, trainable or not, must not move
            out[f"f{i}.before:{name}"], out[f"f{i}.after:{name}"] = before[name], after[name]
    return out


def judge_step(got: Values, want: Values) -> Verdict:
    for i, scope in enumerate(CASES):
        prefix = f"f{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            if key not in got:
                return Verdict(False, f"with {_describe(scope)}: variable {name} is missing from the graph.")
            g, w = np.asarray(got[key]), np.asarray(want[key])
            b = np.asarray(want[f"f{i}.before:{name}"])
            diff = first_difference(g, w, rtol=1e-5, atol=1e-6)
            if diff is None:
                continue
            index, gv, wv = diff
            where = f"{name}{list(index)}"
            if np.allclose(w, b):
                return Verdict(False, f"with {_describe(scope)}: {where} changed by {fmt(gv - b[index])}, but "
                               f"{name} is not a trainable variable matching the train_scope and must stay "
                               "frozen. Pass only the matching trainable variables to optimizer.minimize(loss, var_list=...).")
            if np.allclose(g, b):
                return Verdict(False, f"with {_describe(scope)}: {name} did not change, but it matches the "
                               f"train_scope and must be trained (expected a step of {fmt(wv - b[index])}). "
                               "train_scope is a regular expression matched from the start of each name, as "
                               "tf.get_collection(..., scope=train_scope) matches.")
            return Verdict(False, f"with {_describe(scope)}: {where} moved by {fmt(gv - b[index])}; expected one "
                           f"optimizer step of {fmt(wv - b[index])}.")
    return Verdict(True, "Trains exactly the trainable variables that train_scope matches and leaves every "
                         f"other variable frozen, for {len(CASES)} scopes.")


def probe_trained(fn, ctx: ProbeContext) -> Values:
    from grader.harness import book_restore, train_reused_mlp
    return train_reused_mlp(book_restore, fn, ctx.budget, ctx.workdir)


EXERCISE = Exercise(
    id="freeze_layers",
    notebook="04_layer_reuse",
    function="frozen_training_op",
    checks=(
        Check("step", "trains only the variables train_scope matches", 1.5, probe_step, judge_step),
        Check("trained", "training with the lower layers frozen reaches the reference's accuracy", 0.5,
              probe_trained, training_judge(2.0, "new model on the pretrained, frozen hidden1-2"), training=True),
    ),
)

"""Exercise `clipped_apply_gradients`: clipped_training_op(optimizer, loss, threshold=1.0) applies each
gradient of `loss` clipped elementwise to [-threshold, threshold], with optimizer.apply_gradients."""
from __future__ import annotations

import numpy as np

from .base import (Check, Exercise, ProbeContext, Values, Verdict, called_with, first_difference, fmt, tolerance,
                   training_judge)

HIDDEN_SEED = 52711
# (threshold passed, learning rate, momentum or None, runs): None means "call without threshold".
CASES = ((0.5, 1.0, None, 1), (None, 1.0, None, 1), (0.05, 0.1, 0.9, 2), (2.5, 1.0, None, 1))
HINT = ("Hint: clip each gradient elementwise with tf.clip_by_value(grad, -threshold, threshold) "
        "(tf.clip_by_norm and tf.clip_by_global_norm rescale whole tensors instead), then "
        "optimizer.apply_gradients(...).")


def _graph(tf, rng):
    """Gradients from tiny to large, so that clipping changes some elements and not others."""
    X = tf.constant(rng.normal(0.0, 3.0, size=(12, 5)).astype(np.float32))
    target = tf.constant(rng.normal(size=(12, 2)).astype(np.float32))
    init = tf.random_normal_initializer(stddev=1.5, seed=3)
    hidden = tf.layers.dense(X, 4, activation=tf.nn.elu, name="hidden1", kernel_initializer=init)
    output = tf.layers.dense(hidden, 2, name="outputs", kernel_initializer=init,
                             bias_initializer=tf.constant_initializer(0.5))
    return tf.reduce_mean(tf.square(output - target)) * 3.0


def describe(case) -> str:
    threshold, lr, momentum, runs = case
    how = "the default threshold" if threshold is None else f"threshold={threshold}"
    opt = f"SGD lr={lr}" if momentum is None else f"Momentum lr={lr} momentum={momentum}, {runs} runs"
    return f"{how}, {opt}"


def probe_step(fn, ctx: ProbeContext) -> Values:
    from grader.harness import as_single_op, fresh_graph, new_session, tf, variable_values
    out: Values = {}
    for i, (threshold, lr, momentum, runs) in enumerate(CASES):
        with fresh_graph() as graph:
            loss = _graph(tf, np.random.RandomState(HIDDEN_SEED))
            variables = tf.trainable_variables()
            gradients = tf.gradients(loss, variables)
            optimizer = (tf.train.GradientDescentOptimizer(lr) if momentum is None
                         else tf.train.MomentumOptimizer(lr, momentum))
            with called_with("the default threshold" if threshold is None else f"threshold={threshold}"):
                result = fn(optimizer, loss) if threshold is None else fn(optimizer, loss, threshold)
            op = as_single_op(result, "clipped_training_op")
            init = tf.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            out.update(variable_values(sess, f"c{i}.before:"))
            for v, g in zip(variables, sess.run(gradients)):
                out[f"c{i}.grad:{v.op.name}"] = g
            for _ in range(runs):
                sess.run(op)
            # Trainable variables only: optimizer slots may be named differently.
            after = variable_values(sess, f"c{i}.after:")
            out.update({k: v for k, v in after.items() if k[len(f"c{i}.after:"):] in
                        {w.op.name for w in variables}})
    return out


def judge_step(got: Values, want: Values) -> Verdict:
    for i, case in enumerate(CASES):
        prefix = f"c{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            if key not in got:
                return Verdict(False, f"with {describe(case)}: variable {name} is missing. {HINT}")
            g, w = np.asarray(got[key]), np.asarray(want[key])
            before = np.asarray(want[f"c{i}.before:{name}"])
            diff = first_difference(g, w, *tolerance(w.dtype))
            if diff is None:
                continue
            index, gv, wv = diff
            grad = np.asarray(want[f"c{i}.grad:{name}"])[index]
            return Verdict(False, (
                f"with {describe(case)}: {name}{list(index)} has gradient {fmt(grad)} at the start; "
                f"after your op it moved by {fmt(gv - before[index])}, the reference moved it by "
                f"{fmt(wv - before[index])}. {HINT}"))
    return Verdict(True, "Each gradient is clipped elementwise to [-threshold, threshold] and applied by the "
                         f"optimizer, for {len(CASES)} thresholds and optimizers (SGD and Momentum).")


def probe_trained(fn, ctx: ProbeContext) -> Values:
    from grader.harness import train_clipped_mlp
    return train_clipped_mlp(fn, ctx.budget)


EXERCISE = Exercise(
    id="clipped_apply_gradients",
    notebook="03_gradient_clipping",
    function="clipped_training_op",
    checks=(
        Check("step", "applies gradients clipped elementwise to [-threshold, threshold]", 1.5, probe_step,
              judge_step),
        Check("trained", "trains the book's deep ReLU network to the reference's accuracy", 0.5, probe_trained,
              training_judge(2.0, "five-hidden-layer ReLU MLP, threshold 1.0"), training=True),
    ),
)

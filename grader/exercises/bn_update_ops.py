"""Exercise `bn_update_ops`: bn_training_op(optimizer, loss) runs one optimizer step and every UPDATE_OPS op."""
from __future__ import annotations

import numpy as np

from .base import Check, Exercise, ProbeContext, Values, Verdict, describe_variable_changes, training_judge

HIDDEN_SEED = 31337
UPDATE_HINT = ("the moving mean and variance are updated by the ops in tf.GraphKeys.UPDATE_OPS: "
               "are they run with the training op (tf.control_dependencies or tf.group)?")


def _book_graph(tf, rng):
    """Three batch-norm layers as in the book: dense -> BN (momentum 0.9) -> ELU."""
    from functools import partial
    training = tf.placeholder_with_default(False, shape=(), name="training")
    X = tf.constant(rng.normal(2.0, 3.0, size=(16, 8)).astype(np.float32))
    target = tf.constant(rng.normal(size=(16, 3)).astype(np.float32))
    bn = partial(tf.layers.batch_normalization, training=training, momentum=0.9)
    init = tf.variance_scaling_initializer(seed=7)
    h1 = tf.nn.elu(bn(tf.layers.dense(X, 6, name="hidden1", kernel_initializer=init)))
    h2 = tf.nn.elu(bn(tf.layers.dense(h1, 4, name="hidden2", kernel_initializer=init)))
    logits = bn(tf.layers.dense(h2, 3, name="outputs", kernel_initializer=init))
    loss = tf.reduce_mean(tf.square(logits - target))
    return training, loss, tf.train.GradientDescentOptimizer(0.1), 1


def _scoped_graph(tf, rng):
    """Other scopes, another momentum, a stateful optimizer, and two runs of the op."""
    training = tf.placeholder_with_default(False, shape=(), name="is_training")
    X = tf.constant(rng.normal(-1.0, 2.0, size=(10, 5)).astype(np.float32))
    init = tf.variance_scaling_initializer(seed=11)
    with tf.variable_scope("net"):
        a = tf.layers.dense(X, 7, name="a", kernel_initializer=init)
        a = tf.nn.relu(tf.layers.batch_normalization(a, training=training, momentum=0.5, name="bn_a"))
        b = tf.layers.dense(a, 2, name="b", kernel_initializer=init)
        b = tf.layers.batch_normalization(b, training=training, momentum=0.8, name="bn_b", center=False)
    loss = tf.reduce_mean(tf.square(b - 1.0))
    return training, loss, tf.train.MomentumOptimizer(0.05, momentum=0.9), 2


GRAPHS = (("the book's BN network", _book_graph), ("a network with other scopes and a momentum optimizer",
                                                    _scoped_graph))


def probe_step(fn, ctx: ProbeContext) -> Values:
    from grader.harness import as_single_op, fresh_graph, new_session, tf, variable_values
    out: Values = {}
    for g, (_, build) in enumerate(GRAPHS):
        rng = np.random.RandomState(HIDDEN_SEED + g)
        with fresh_graph() as graph:
            training, loss, optimizer, runs = build(tf, rng)
            op = as_single_op(fn(optimizer, loss), "bn_training_op")
            init = tf.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            out.update(variable_values(sess, f"g{g}.before:"))
            for _ in range(runs):
                sess.run(op, {training: True})
            out.update(variable_values(sess, f"g{g}.after:"))
    return out


def _part(values: Values, prefix: str) -> Values:
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def judge_step(got: Values, want: Values) -> Verdict:
    problems, hints = [], set()
    for g, (what, _) in enumerate(GRAPHS):
        before = _part(want, f"g{g}.before:")
        changes = describe_variable_changes(_part(got, f"g{g}.after:"), _part(want, f"g{g}.after:"), before)
        for change in changes:
            if "moving_" in change and "did not change" in change:
                hints.add(UPDATE_HINT)
            elif "did not change" in change:
                hints.add("the weights did not move: does your op run optimizer.minimize(loss)?")
        problems += [f"in {what}: {c}" for c in changes[:2]]
    if problems:
        return Verdict(False, "After running your op with training=True: " + "; ".join(problems[:4])
                       + (". Hint: " + " ".join(sorted(hints)) if hints else "."))
    return Verdict(True, "One run performs exactly one optimizer step and updates the moving mean and variance "
                         "of every batch-norm layer, in two networks with other scopes, momentums and optimizers.")


def probe_trained(fn, ctx: ProbeContext) -> Values:
    from grader.harness import train_bn_mlp
    return train_bn_mlp(fn, ctx.budget)


EXERCISE = Exercise(
    id="bn_update_ops",
    notebook="02_batch_norm",
    function="bn_training_op",
    checks=(
        Check("step", "one run = one optimizer step + every batch-norm update op", 1.5, probe_step, judge_step),
        Check("trained", "trains the book's BN network to the reference's accuracy", 0.5, probe_trained,
              training_judge(2.0, "300-100-10 batch-norm MLP evaluated with its moving statistics"),
              training=True),
    ),
)

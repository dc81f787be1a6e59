"""`lr_schedule`, public self-check (shipped to students; runs in their kernel): `grader.check("lr_schedule")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "lr_schedule"
NOTEBOOK = "05_learning_rate_schedule"
FUNCTION = "scheduled_training_op"
SIGNATURE = 'scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9)'
POSITION = 0  # its place among the exercises of its notebook

RUNS = 3


def check(fn) -> list[str]:
    tf = tensorflow()
    slope = np.array([2.0, -1.0, 0.5], dtype=np.float32)
    initial, steps, rate, momentum = 0.1, 2, 0.5, 0.5
    with tf.Graph().as_default() as graph:
        w = tf.Variable(np.zeros(3, dtype=np.float32), name="w")
        loss = tf.reduce_sum(w * slope)  # its gradient is `slope`, at every step
        result = fn(loss, initial_learning_rate=initial, decay_steps=steps, decay_rate=rate, momentum=momentum)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            kind = (_("a {type} of {n} items").format(type=type(result).__name__, n=len(result))
                    if isinstance(result, (tuple, list))
                    else _("one {type}, not a pair").format(type=type(result).__name__))
            raise Failed(_("{function} returned {kind}; return the pair (training_op, learning_rate)")
                         .format(function=FUNCTION, kind=kind))
        op, learning_rate = result
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            rates, weights = [float(sess.run(learning_rate))], []
            for _run in range(RUNS):
                sess.run(op)
                rates.append(float(sess.run(learning_rate)))
                weights.append(sess.run(w))
    settings = f"initial_learning_rate={initial}, decay_steps={steps}, decay_rate={rate}"
    want = [initial * rate ** (k / steps) for k in range(RUNS + 1)]
    if np.allclose(rates, rates[0]) and not np.allclose(want, want[0]):
        raise Failed(_("with {settings}, learning_rate stayed {rate} over {runs} runs of training_op: the step "
                       "must advance by one at each run (optimizer.minimize(loss, global_step=...))")
                     .format(settings=settings, rate=f"{rates[0]:.4g}", runs=RUNS))
    staircase = [initial * rate ** (k // steps) for k in range(RUNS + 1)]
    if np.allclose(rates, staircase, rtol=1e-5):
        raise Failed(_("with {settings}, learning_rate after 0..{runs} runs is {rates}, a staircase: the decay "
                       "must be continuous, decay_rate ** (k / decay_steps) (staircase=False)")
                     .format(settings=settings, runs=RUNS, rates=np.round(rates, 4).tolist()))
    expect_close(_("with {settings}, learning_rate after 0, 1, 2, 3 runs of training_op "
                   "(initial_learning_rate * decay_rate ** (k / decay_steps))").format(settings=settings), rates, want)
    accum, w_want = np.zeros(3), np.zeros(3)
    expected = []
    for k in range(RUNS):  # Momentum: accumulation = momentum * accumulation + gradient; w -= rate * accumulation
        accum = momentum * accum + slope
        w_want = w_want - want[k] * accum
        expected.append(w_want)
    try:
        expect_close(_("with gradient {gradient} and momentum={momentum}, w after 1, 2, 3 runs (one Momentum step "
                       "per run with the current learning rate)").format(gradient=slope.tolist(), momentum=momentum),
                     weights, expected)
    except Failed as failure:
        raise Failed(_("{failure}. Use tf.train.MomentumOptimizer(learning_rate, momentum=momentum) with the "
                       "decayed learning rate, the momentum argument (not a literal)").format(failure=failure)) \
            from None
    return [_("learning_rate decays as initial_learning_rate * decay_rate ** (k / decay_steps) ({settings})")
            .format(settings=settings),
            _("each run is one Momentum step (momentum={momentum}) with the current learning rate")
            .format(momentum=momentum)]

"""`lr_schedule`, public self-check (shipped to students; runs in their kernel): `grader.check("lr_schedule")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow

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
            kind = (f"a {type(result).__name__} of {len(result)} items" if isinstance(result, (tuple, list))
                    else f"one {type(result).__name__}, not a pair")
            raise Failed(f"{FUNCTION} returned {kind}; return the pair (training_op, learning_rate)")
        op, learning_rate = result
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            rates, weights = [float(sess.run(learning_rate))], []
            for _ in range(RUNS):
                sess.run(op)
                rates.append(float(sess.run(learning_rate)))
                weights.append(sess.run(w))
    settings = f"initial_learning_rate={initial}, decay_steps={steps}, decay_rate={rate}"
    want = [initial * rate ** (k / steps) for k in range(RUNS + 1)]
    if np.allclose(rates, rates[0]) and not np.allclose(want, want[0]):
        raise Failed(f"with {settings}, learning_rate stayed {rates[0]:.4g} over {RUNS} runs of training_op: "
                     "the step must advance by one at each run (optimizer.minimize(loss, global_step=...))")
    staircase = [initial * rate ** (k // steps) for k in range(RUNS + 1)]
    if np.allclose(rates, staircase, rtol=1e-5):
        raise Failed(f"with {settings}, learning_rate after 0..{RUNS} runs is {np.round(rates, 4).tolist()}, a "
                     "staircase: the decay must be continuous, decay_rate ** (k / decay_steps) (staircase=False)")
    expect_close(f"with {settings}, learning_rate after 0, 1, 2, 3 runs of training_op "
                 "(initial_learning_rate * decay_rate ** (k / decay_steps))", rates, want)
    accum, w_want = np.zeros(3), np.zeros(3)
    expected = []
    for k in range(RUNS):  # Momentum: accumulation = momentum * accumulation + gradient; w -= rate * accumulation
        accum = momentum * accum + slope
        w_want = w_want - want[k] * accum
        expected.append(w_want)
    try:
        expect_close(f"with gradient {slope.tolist()} and momentum={momentum}, w after 1, 2, 3 runs "
                     "(one Momentum step per run with the current learning rate)", weights, expected)
    except Failed as failure:
        raise Failed(f"{failure}. Use tf.train.MomentumOptimizer(learning_rate, momentum=momentum) with the "
                     "decayed learning rate, the momentum argument (not a literal)") from None
    return [f"learning_rate decays as initial_learning_rate * decay_rate ** (k / decay_steps) ({settings})",
            f"each run is one Momentum step (momentum={momentum}) with the current learning rate"]

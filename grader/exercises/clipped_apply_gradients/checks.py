"""Exercise `clipped_apply_gradients`: clipped_training_op(optimizer, loss, threshold=1.0) applies each
gradient of `loss` clipped elementwise to [-threshold, threshold], with optimizer.apply_gradients."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES, describe

HINT = ("Hint: clip each gradient elementwise with tf.clip_by_value(grad, -threshold, threshold) "
        "(tf.clip_by_norm and tf.clip_by_global_norm rescale whole tensors instead), then "
        "optimizer.apply_gradients(...).")


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


EXERCISE = Exercise.of(
    public,
    Check("step", "applies gradients clipped elementwise to [-threshold, threshold]", 1.5, judge_step),
    Check("trained", "trains the book's deep ReLU network to the reference's accuracy", 0.5,
          training_judge(2.0, "five-hidden-layer ReLU MLP, threshold 1.0"), training=True),
)

"""Exercise `clipped_apply_gradients`: clipped_training_op(optimizer, loss, threshold=1.0) applies each
gradient of `loss` clipped elementwise to [-threshold, threshold], with optimizer.apply_gradients."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES, describe

HINT = N_("Hint: clip each gradient elementwise with tf.clip_by_value(grad, -threshold, threshold) "
        "(tf.clip_by_norm and tf.clip_by_global_norm rescale whole tensors instead), then "
        "optimizer.apply_gradients(...).")


def judge_step(got: Values, want: Values) -> Verdict:
    for i, case in enumerate(CASES):
        prefix = f"c{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            if key not in got:
                return Verdict(False, _("with {case}: variable {name} is missing.").format(
                    case=describe(case), name=name) + " " + _(HINT))
            g, w = np.asarray(got[key]), np.asarray(want[key])
            before = np.asarray(want[f"c{i}.before:{name}"])
            diff = first_difference(g, w, *tolerance(w.dtype))
            if diff is None:
                continue
            index, gv, wv = diff
            grad = np.asarray(want[f"c{i}.grad:{name}"])[index]
            return Verdict(False, _(
                "with {case}: {where} has gradient {grad} at the start; after your op it moved by {moved}, the "
                "reference moved it by {expected}.").format(
                case=describe(case), where=f"{name}{list(index)}", grad=fmt(grad), moved=fmt(gv - before[index]),
                expected=fmt(wv - before[index])) + " " + _(HINT))
    return Verdict(True, _("Each gradient is clipped elementwise to [-threshold, threshold] and applied by the "
                           "optimizer, for {n} thresholds and optimizers (SGD and Momentum).").format(n=len(CASES)))


EXERCISE = Exercise.of(
    public,
    Check("step", N_("applies gradients clipped elementwise to [-threshold, threshold]"), 1.5, judge_step),
    Check("trained", N_("trains the book's deep ReLU network to the reference's accuracy"), 0.5,
          training_judge(2.0, N_("five-hidden-layer ReLU MLP, threshold 1.0")), training=True),
)

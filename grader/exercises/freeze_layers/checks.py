"""Exercise `freeze_layers`: frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs") minimizes
`loss` updating only the trainable variables whose names match `train_scope`."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, training_judge
from .build import CASES, describe as _describe


def judge_step(got: Values, want: Values) -> Verdict:
    for i, scope in enumerate(CASES):
        prefix = f"f{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            if key not in got:
                return Verdict(False, _("with {case}: variable {name} is missing from the graph.").format(
                    case=_describe(scope), name=name))
            g, w = np.asarray(got[key]), np.asarray(want[key])
            b = np.asarray(want[f"f{i}.before:{name}"])
            diff = first_difference(g, w, rtol=1e-5, atol=1e-6)
            if diff is None:
                continue
            index, gv, wv = diff
            where = f"{name}{list(index)}"
            if np.allclose(w, b):
                return Verdict(False, _(
                    "with {case}: {where} changed by {moved}, but {name} is not a trainable variable matching the "
                    "train_scope and must stay frozen. Pass only the matching trainable variables to "
                    "optimizer.minimize(loss, var_list=...).").format(
                    case=_describe(scope), where=where, moved=fmt(gv - b[index]), name=name))
            if np.allclose(g, b):
                return Verdict(False, _(
                    "with {case}: {name} did not change, but it matches the train_scope and must be trained "
                    "(expected a step of {expected}). train_scope is a regular expression matched from the start "
                    "of each name, as tf.get_collection(..., scope=train_scope) matches.").format(
                    case=_describe(scope), name=name, expected=fmt(wv - b[index])))
            return Verdict(False, _("with {case}: {where} moved by {moved}; expected one optimizer step of "
                                    "{expected}.").format(case=_describe(scope), where=where,
                                                          moved=fmt(gv - b[index]), expected=fmt(wv - b[index])))
    return Verdict(True, _("Trains exactly the trainable variables that train_scope matches and leaves every "
                           "other variable frozen, for {n} scopes.").format(n=len(CASES)))


EXERCISE = Exercise.of(
    public,
    Check("step", N_("trains only the variables train_scope matches"), 1.5, judge_step),
    Check("trained", N_("training with the lower layers frozen reaches the reference's accuracy"), 0.5,
          training_judge(2.0, N_("new model on the pretrained, frozen hidden1-2")), training=True),
)

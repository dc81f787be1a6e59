"""Exercise `leaky_relu`: leaky_relu(z, alpha=0.01, name=None) == max(alpha * z, z), op named `name`."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES, NAMES, case_input


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        key = f"case{i}"
        z = case_input(i, case)
        if key + ".error" in got:
            problems.append(_("with {case}: {error}").format(case=case.describe(), error=got[key + ".error"]))
            continue
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if g.dtype != w.dtype:
            problems.append(_("with {case} the result is {dtype}, expected {expected}").format(
                case=case.describe(), dtype=g.dtype, expected=w.dtype))
        elif g.shape != w.shape:
            problems.append(_("with {case} the result has shape {shape}, expected {expected}").format(
                case=case.describe(), shape=g.shape, expected=w.shape))
        else:
            diff = first_difference(g, w, *tolerance(w.dtype))
            if diff is not None:
                index, gv, wv = diff
                problems.append(_("with {case}: at z={z} expected {expected}, got {got}").format(
                    case=case.describe(), z=fmt(z[index]), expected=fmt(wv), got=fmt(gv)))
    checked = _("{n} hidden inputs (alpha in 0.01..0.7, float32 and float64, shapes () to (2, 3, 5))").format(
        n=len(CASES))
    if problems:
        return Verdict(False, _("Compared with max(alpha*z, z) on {checked}; differences: {problems}").format(
            checked=checked, problems=_("; ").join(problems[:3]))
            + ("" if len(problems) <= 3 else _("; and {n} more").format(n=len(problems) - 3)))
    return Verdict(True, _("Equal to max(alpha*z, z) on {checked}.").format(checked=checked))




def judge_name(got: Values, want: Values) -> Verdict:
    for i, (scope, name, _call) in enumerate(NAMES):
        g, w = str(got[f"name{i}"]), str(want[f"name{i}"])
        if g != w:
            return Verdict(False, (_("called with name={name} inside tf.name_scope({scope}), the returned op is named "
                                     "{got}; expected {expected} (pass `name` to the op that produces the result)")
                                   if scope else
                                   _("called with name={name}, the returned op is named {got}; expected {expected} "
                                     "(pass `name` to the op that produces the result)")).format(
                name=repr(name), scope=repr(scope), got=repr(g), expected=repr(w)))
    return Verdict(True, _("The returned op carries the name given in `name`, also inside a name scope."))


EXERCISE = Exercise.of(
    public,
    Check("values", N_("matches max(alpha*z, z) on unseen inputs"), 1.0, judge_values),
    Check("name", N_("names the returned op `name`"), 0.5, judge_name),
    Check("trained", N_("trains the book's MLP to the reference's accuracy"), 0.5,
          training_judge(2.0, N_("300-100-10 MLP with your activation")), training=True),
)

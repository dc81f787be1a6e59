"""Exercise `leaky_relu`: leaky_relu(z, alpha=0.01, name=None) == max(alpha * z, z), op named `name`."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES, NAMES, case_input


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        key = f"case{i}"
        z = case_input(i, case)
        if key + ".error" in got:
            problems.append(f"with {case.describe()}: {got[key + '.error']}")
            continue
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if g.dtype != w.dtype:
            problems.append(f"with {case.describe()} the result is {g.dtype}, expected {w.dtype}")
        elif g.shape != w.shape:
            problems.append(f"with {case.describe()} the result has shape {g.shape}, expected {w.shape}")
        else:
            diff = first_difference(g, w, *tolerance(w.dtype))
            if diff is not None:
                index, gv, wv = diff
                problems.append(f"with {case.describe()}: at z={fmt(z[index])} expected {fmt(wv)}, got {fmt(gv)}")
    checked = f"{len(CASES)} hidden inputs (alpha in 0.01..0.7, float32 and float64, shapes () to (2, 3, 5))"
    if problems:
        return Verdict(False, f"Compared with max(alpha*z, z) on {checked}; differences: " + "; ".join(problems[:3])
                       + ("" if len(problems) <= 3 else f"; and {len(problems) - 3} more"))
    return Verdict(True, f"Equal to max(alpha*z, z) on {checked}.")




def judge_name(got: Values, want: Values) -> Verdict:
    for i, (scope, name, _) in enumerate(NAMES):
        g, w = str(got[f"name{i}"]), str(want[f"name{i}"])
        where = f" inside tf.name_scope({scope!r})" if scope else ""
        if g != w:
            return Verdict(False, f"called with name={name!r}{where}, the returned op is named {g!r}; "
                                  f"expected {w!r} (pass `name` to the op that produces the result)")
    return Verdict(True, "The returned op carries the name given in `name`, also inside a name scope.")


EXERCISE = Exercise.of(
    public,
    Check("values", "matches max(alpha*z, z) on unseen inputs", 1.0, judge_values),
    Check("name", "names the returned op `name`", 0.5, judge_name),
    Check("trained", "trains the book's MLP to the reference's accuracy", 0.5,
          training_judge(2.0, "300-100-10 MLP with your activation"), training=True),
)

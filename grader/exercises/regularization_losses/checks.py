"""Exercise `regularization_losses`: regularized_loss(base_loss) returns base_loss plus the sum of every
tensor in tf.GraphKeys.REGULARIZATION_LOSSES of the current graph (base_loss itself when it is empty)."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict, fmt, tolerance, training_judge
from .build import CASES

HINT = ("Hint: get the terms with tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) inside the function and "
        "add all of them to base_loss (tf.add_n([base_loss] + terms) also works when the list is empty).")


def _close(a, b) -> bool:
    return bool(np.isclose(a, b, *tolerance(np.float32)))


def _diagnosis(got: float, base: float, terms: np.ndarray) -> str:
    extra = got - base
    if not len(terms):
        return "the collection is empty here, so the loss must be base_loss itself"
    if _close(got, base):
        return "your loss equals base_loss: the regularization terms are missing"
    if len(terms) > 1 and _close(extra, terms[0]):
        return "your loss adds only the first term of the collection"
    if len(terms) > 1 and _close(extra, terms.mean()):
        return "your loss adds the mean of the terms, not their sum"
    if len(terms) > 1 and _close(extra, terms[-1]):
        return "your loss adds only the last term of the collection"
    return f"your loss minus base_loss is {fmt(extra)}, the terms sum to {fmt(terms.sum())}"


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        key = f"c{i}"
        if key + ".error" in got:
            problems.append(f"with {case.what}: {got[key + '.error']}")
            continue
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if g.shape != w.shape:
            problems.append(f"with {case.what}: your loss has shape {g.shape}, expected a scalar {w.shape}")
            continue
        if _close(g, w):
            continue
        base, terms = float(got[key + ".base"]), np.asarray(got[key + ".terms"], dtype=np.float64)
        listed = f"the {len(terms)} terms {fmt(terms)}" if len(terms) else "no term"
        problems.append(f"with {case.what}: your loss is {fmt(float(g))}, expected {fmt(float(w))} = base_loss "
                        f"{fmt(base)} + {listed} of tf.GraphKeys.REGULARIZATION_LOSSES; "
                        f"{_diagnosis(float(g), base, terms)}")
    checked = f"{len(CASES)} hidden networks (ℓ1 and ℓ2 of several scales, an empty collection, a term added by hand)"
    if problems:
        return Verdict(False, f"Compared with base_loss + the sum of the collection's terms on {checked}: "
                       + "; ".join(problems[:2]) + ("" if len(problems) <= 2 else f"; and {len(problems) - 2} more")
                       + f". {HINT}")
    return Verdict(True, f"Equal to base_loss + the sum of tf.GraphKeys.REGULARIZATION_LOSSES on {checked}.")


EXERCISE = Exercise.of(
    public,
    Check("values", "adds every regularization loss of the graph to the base loss", 1.5, judge_values),
    Check("trained", "trains the book's ℓ1-regularized MLP to the reference's accuracy", 0.5,
          training_judge(2.0, "300-50-10 MLP with ℓ1 on every kernel, minimizing your loss"), training=True),
)

"""Exercise `regularization_losses`: regularized_loss(base_loss) returns base_loss plus the sum of every
tensor in tf.GraphKeys.REGULARIZATION_LOSSES of the current graph (base_loss itself when it is empty)."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, fmt, tolerance, training_judge
from .build import CASES

HINT = N_("Hint: get the terms with tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) inside the function and "
        "add all of them to base_loss (tf.add_n([base_loss] + terms) also works when the list is empty).")


def _close(a, b) -> bool:
    return bool(np.isclose(a, b, *tolerance(np.float32)))


def _diagnosis(got: float, base: float, terms: np.ndarray) -> str:
    extra = got - base
    if not len(terms):
        return _("the collection is empty here, so the loss must be base_loss itself")
    if _close(got, base):
        return _("your loss equals base_loss: the regularization terms are missing")
    if len(terms) > 1 and _close(extra, terms[0]):
        return _("your loss adds only the first term of the collection")
    if len(terms) > 1 and _close(extra, terms.mean()):
        return _("your loss adds the mean of the terms, not their sum")
    if len(terms) > 1 and _close(extra, terms[-1]):
        return _("your loss adds only the last term of the collection")
    return _("your loss minus base_loss is {extra}, the terms sum to {total}").format(extra=fmt(extra),
                                                                                   total=fmt(terms.sum()))


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        key = f"c{i}"
        if key + ".error" in got:
            problems.append(_("with {case}: {error}").format(case=_(case.what), error=got[key + ".error"]))
            continue
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if g.shape != w.shape:
            problems.append(_("with {case}: your loss has shape {shape}, expected a scalar {expected}").format(
                case=_(case.what), shape=g.shape, expected=w.shape))
            continue
        if _close(g, w):
            continue
        base, terms = float(got[key + ".base"]), np.asarray(got[key + ".terms"], dtype=np.float64)
        listed = (_("the {n} terms {terms}").format(n=len(terms), terms=fmt(terms)) if len(terms)
                  else _("no term"))
        problems.append(_("with {case}: your loss is {got}, expected {expected} = base_loss {base} + {listed} of "
                          "tf.GraphKeys.REGULARIZATION_LOSSES; {diagnosis}").format(
            case=_(case.what), got=fmt(float(g)), expected=fmt(float(w)), base=fmt(base), listed=listed,
            diagnosis=_diagnosis(float(g), base, terms)))
    checked = _("{n} hidden networks (ℓ1 and ℓ2 of several scales, an empty collection, a term added by hand)").format(
        n=len(CASES))
    if problems:
        return Verdict(False, _("Compared with base_loss + the sum of the collection's terms on {checked}: {problems}")
                       .format(checked=checked, problems=_("; ").join(problems[:2]))
                       + ("" if len(problems) <= 2 else _("; and {n} more").format(n=len(problems) - 2))
                       + _(". ") + _(HINT))
    return Verdict(True, _("Equal to base_loss + the sum of tf.GraphKeys.REGULARIZATION_LOSSES on {checked}.")
                   .format(checked=checked))


EXERCISE = Exercise.of(
    public,
    Check("values", N_("adds every regularization loss of the graph to the base loss"), 1.5, judge_values),
    Check("trained", N_("trains the book's ℓ1-regularized MLP to the reference's accuracy"), 0.5,
          training_judge(2.0, N_("300-50-10 MLP with ℓ1 on every kernel, minimizing your loss")), training=True),
)

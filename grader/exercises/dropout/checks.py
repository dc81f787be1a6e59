"""Exercise `dropout`: dropout_layer(inputs, rate, training) zeroes each element independently with
probability `rate` and scales the others by 1 / (1 - rate) when `training` is true, and is `inputs`
unchanged when it is false (tf.layers.dropout's behaviour).

Judged statistically on ~100,000 elements per case: the judge's graphs have fixed seeds, and every
tolerance is several standard deviations wide, so a correct implementation drawing other random
numbers passes too."""
from __future__ import annotations

import math

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, fmt, training_judge
from .build import CASES

SIGMAS = 6.0
AXIS_NAMES = {2: (N_("within a column (axis 0)"), N_("within a row (axis 1)"))}


def _index(index) -> str:
    return str([int(i) for i in np.asarray(index).ravel()])


def _along(axis: int, ndim: int) -> str:
    names = AXIS_NAMES.get(ndim)
    return _(names[axis]) if names else _("along axis {axis}").format(axis=axis)


def _independence_problem(got: Values, key: str, case) -> str | None:
    """Neighbours along each axis agree (both dropped or both kept) as often as independent draws do;
    the axis that departs most from it is reported."""
    agree, pairs = np.asarray(got[key + ".agree"], dtype=float), np.asarray(got[key + ".pairs"])
    rate = case.rate
    expected = rate ** 2 + (1 - rate) ** 2
    worst, excess = None, 0.0
    for axis, (a, m) in enumerate(zip(agree, pairs)):
        if m < 2 or math.isnan(a):
            continue
        over = abs(a - expected) - (SIGMAS * math.sqrt(expected * (1 - expected) / m) + 2e-3)
        if over > excess:
            worst, excess = axis, over
    if worst is None:
        return None
    return _("the elements are not dropped independently: {along}, two neighbours are both dropped or both kept "
             "{agree} of the time; independent draws agree {expected} of the time (rate² + (1 - rate)²). Draw one "
             "random number per element (noise_shape=None), not one per row or column").format(
        along=_along(worst, len(case.fed)), agree=f"{agree[worst]:.1%}", expected=f"{expected:.1%}")


def _case_problem(got: Values, key: str, case) -> str | None:
    """What is wrong with case `key`, or None."""
    if key + ".error" in got:
        return got[key + ".error"]
    shape = tuple(int(s) for s in np.asarray(got[key + ".shape"]).ravel())
    if shape != case.fed:
        return _("the output has shape {shape}; expected the shape of the inputs {expected}").format(
            shape=shape, expected=case.fed)
    for mode, what in (("off", _("training fed False")), ("default", _("training left at its default (False)"))):
        if not bool(got[f"{key}.{mode}.equal"]):
            return _("with {what} the output must be the inputs unchanged, but at {index} the input {input} became "
                     "{output} (dropout must be off at test time: use `training` to switch it)").format(
                what=what, index=_index(got[f"{key}.{mode}.index"]), input=fmt(float(got[f"{key}.{mode}.input"])),
                output=fmt(float(got[f"{key}.{mode}.output"])))
    if int(got[key + ".nonfinite"]):
        return _("with training=True the output has {n} NaN or infinite values").format(
            n=int(got[key + ".nonfinite"]))
    rate, n = case.rate, int(np.prod(case.fed))
    zeros = float(got[key + ".zeros"])
    if zeros in (0.0, 1.0):
        return (_("with training=True none of the outputs are 0; expected a fraction rate = {rate} of them")
                if zeros == 0 else
                _("with training=True all of the outputs are 0; expected a fraction rate = {rate} of them")
                ).format(rate=rate)
    independence = _independence_problem(got, key, case)
    if independence:
        return independence
    spread = SIGMAS * math.sqrt(rate * (1 - rate) / n) + 1e-4
    if abs(zeros - rate) > spread:
        note = ""
        if abs(zeros - (1 - rate)) <= spread:
            note = _(": that is 1 - rate, the fraction kept. `rate` is the fraction dropped "
                     "(tf.layers.dropout's rate; tf.nn.dropout's second positional argument is keep_prob)")
        return _("with training=True a fraction {zeros} of the outputs is 0; expected {rate} (± {spread})").format(
            zeros=f"{zeros:.4f}", rate=f"{rate:.4f}", spread=f"{spread:.4f}") + note
    if key + ".scale_error" in got and float(got[key + ".scale_error"]) > 1e-5:
        x, y = float(got[key + ".scale_input"]), float(got[key + ".scale_output"])
        return _("with training=True a kept element must be scaled by 1 / (1 - rate) = {scale}, but at {index} the "
                 "input {input} became {output} (scaled by {got})").format(
            scale=fmt(1 / (1 - rate)), index=_index(got[key + ".scale_index"]), input=fmt(x), output=fmt(y),
            got=fmt(y / x))
    differ = float(got[key + ".differ"])
    if differ < rate * (1 - rate):  # independent masks differ at 2 rate (1 - rate) of the positions
        return _("two runs with training=True dropped the same elements ({differ} of the positions differ; fresh "
                 "masks differ at about {fresh}): draw a new mask at every run (a stateful random op such as "
                 "tf.random_uniform, not a constant mask)").format(differ=f"{differ:.1%}",
                                                                   fresh=f"{2 * rate * (1 - rate):.1%}")
    return None


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        problem = _case_problem(got, f"c{i}", case)
        if problem:
            problems.append(_("with {case}: {problem}").format(case=case.describe(), problem=problem))
    checked = _("{n} hidden inputs (rates 0.1 to 0.7, about 100,000 elements each, training fed True twice, fed "
                "False and left at its default)").format(n=len(CASES))
    if problems:
        return Verdict(False, _("Checked on {checked}: {problems}").format(
            checked=checked, problems=_("; ").join(problems[:2]))
            + ("" if len(problems) <= 2 else _("; and {n} more").format(n=len(problems) - 2)) + _("."))
    return Verdict(True, _("On {checked}: each element is dropped independently with probability rate, the others "
                           "are scaled by 1 / (1 - rate), a new mask is drawn at each run, and the output is the "
                           "inputs unchanged when training is False.").format(checked=checked))


EXERCISE = Exercise.of(
    public,
    Check("values", N_("drops each element with probability rate only while training"), 1.5, judge_values),
    Check("trained", N_("trains the book's dropout MLP to the reference's accuracy"), 0.5,
          training_judge(5.0, N_("300-50-10 MLP with your dropout (rate 0.5) on the inputs and hidden layers, "
                                 "evaluated with training=False; a correct dropout may draw other random "
                                 "numbers than the reference")), training=True),
)

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
from ..base import Check, Exercise, Values, Verdict, fmt, training_judge
from .build import CASES

SIGMAS = 6.0
AXIS_NAMES = {2: ("within a column (axis 0)", "within a row (axis 1)")}


def _index(index) -> str:
    return str([int(i) for i in np.asarray(index).ravel()])


def _along(axis: int, ndim: int) -> str:
    names = AXIS_NAMES.get(ndim)
    return names[axis] if names else f"along axis {axis}"


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
    return (f"the elements are not dropped independently: {_along(worst, len(case.fed))}, two neighbours are both "
            f"dropped or both kept {agree[worst]:.1%} of the time; independent draws agree {expected:.1%} of the "
            "time (rate² + (1 - rate)²). Draw one random number per element (noise_shape=None), not one per row "
            "or column")


def _case_problem(got: Values, key: str, case) -> str | None:
    """What is wrong with case `key`, or None."""
    if key + ".error" in got:
        return got[key + ".error"]
    shape = tuple(int(s) for s in np.asarray(got[key + ".shape"]).ravel())
    if shape != case.fed:
        return f"the output has shape {shape}; expected the shape of the inputs {case.fed}"
    for mode, what in (("off", "training fed False"), ("default", "training left at its default (False)")):
        if not bool(got[f"{key}.{mode}.equal"]):
            return (f"with {what} the output must be the inputs unchanged, but at {_index(got[f'{key}.{mode}.index'])} "
                    f"the input {fmt(float(got[f'{key}.{mode}.input']))} became "
                    f"{fmt(float(got[f'{key}.{mode}.output']))} (dropout must be off at test time: "
                    "use `training` to switch it)")
    if int(got[key + ".nonfinite"]):
        return f"with training=True the output has {int(got[key + '.nonfinite'])} NaN or infinite values"
    rate, n = case.rate, int(np.prod(case.fed))
    zeros = float(got[key + ".zeros"])
    if zeros in (0.0, 1.0):
        return (f"with training=True {'none' if zeros == 0 else 'all'} of the outputs are 0; expected a fraction "
                f"rate = {rate} of them")
    independence = _independence_problem(got, key, case)
    if independence:
        return independence
    spread = SIGMAS * math.sqrt(rate * (1 - rate) / n) + 1e-4
    if abs(zeros - rate) > spread:
        note = ""
        if abs(zeros - (1 - rate)) <= spread:
            note = (": that is 1 - rate, the fraction kept. `rate` is the fraction dropped "
                    "(tf.layers.dropout's rate; tf.nn.dropout's second positional argument is keep_prob)")
        return (f"with training=True a fraction {zeros:.4f} of the outputs is 0; expected {rate:.4f} "
                f"(± {spread:.4f}){note}")
    if key + ".scale_error" in got and float(got[key + ".scale_error"]) > 1e-5:
        x, y = float(got[key + ".scale_input"]), float(got[key + ".scale_output"])
        return (f"with training=True a kept element must be scaled by 1 / (1 - rate) = {fmt(1 / (1 - rate))}, "
                f"but at {_index(got[key + '.scale_index'])} the input {fmt(x)} became {fmt(y)} "
                f"(scaled by {fmt(y / x)})")
    differ = float(got[key + ".differ"])
    if differ < rate * (1 - rate):  # independent masks differ at 2 rate (1 - rate) of the positions
        return (f"two runs with training=True dropped the same elements ({differ:.1%} of the positions differ; "
                f"fresh masks differ at about {2 * rate * (1 - rate):.1%}): draw a new mask at every run "
                "(a stateful random op such as tf.random_uniform, not a constant mask)")
    return None


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        problem = _case_problem(got, f"c{i}", case)
        if problem:
            problems.append(f"with {case.describe()}: {problem}")
    checked = (f"{len(CASES)} hidden inputs (rates 0.1 to 0.7, about 100,000 elements each, training fed "
               "True twice, fed False and left at its default)")
    if problems:
        return Verdict(False, f"Checked on {checked}: " + "; ".join(problems[:2])
                       + ("" if len(problems) <= 2 else f"; and {len(problems) - 2} more") + ".")
    return Verdict(True, f"On {checked}: each element is dropped independently with probability rate, the others "
                         "are scaled by 1 / (1 - rate), a new mask is drawn at each run, and the output is the "
                         "inputs unchanged when training is False.")


EXERCISE = Exercise.of(
    public,
    Check("values", "drops each element with probability rate only while training", 1.5, judge_values),
    Check("trained", "trains the book's dropout MLP to the reference's accuracy", 0.5,
          training_judge(5.0, "300-50-10 MLP with your dropout (rate 0.5) on the inputs and hidden layers, "
                              "evaluated with training=False; a correct dropout may draw other random "
                              "numbers than the reference"), training=True),
)

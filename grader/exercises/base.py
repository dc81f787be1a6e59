"""The shape every exercise's checks share.

A check has three parts, each in its own process and module of the exercise's folder:

- `build.py` (BUILDS[key]) runs in the sandboxed builder, next to the student's code: it
  calls the student's function on the grader's scaffold and exports what it built
  (graphs, recorded session runs, names). It measures nothing.
- `measure.py` (MEASURES[key]) runs in the judge, where no student code ever runs: it
  verifies what was built, then evaluates and trains it, and returns raw values.
  Its SCAFFOLDS (optional) lists the scaffolds its measurements load: the judge builds
  them once, before it forks.
- `checks.py` (the Check's `judge`) runs in the grader's process: it compares the values
  measured for the student's function with those measured for the reference's, and says
  what differed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..i18n import _

Values = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str
    fraction: float | None = None              # of the points, where a check gives partial credit


@dataclass(frozen=True)
class Check:
    key: str                                   # short id, unique within the exercise
    name: str                                  # the test's name in results.json
    points: float
    judge: Callable[[Values, Values], Verdict]
    training: bool = False                     # a training-harness comparison (slow)
    handin: str | None = None                  # measures the model the notebook saved under this name


@dataclass(frozen=True)
class Exercise:
    id: str                 # the nbgrader grade_id
    notebook: str           # reference notebook stem, e.g. "01_leaky_relu"
    function: str           # the name the student defines
    checks: tuple[Check, ...] = field(default_factory=tuple)
    position: int = 0       # its place among the exercises of its notebook

    @classmethod
    def of(cls, public, *checks: "Check") -> "Exercise":
        """The exercise whose public self-check module is `public` (id, notebook, function, place)."""
        return cls(public.ID, public.NOTEBOOK, public.FUNCTION, tuple(checks), public.POSITION)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)


# --------------------------------------------------------------------------- judging helpers
def fmt(x) -> str:
    """A number as a student wants to read it."""
    if isinstance(x, (np.ndarray, list, tuple)):
        arr = np.asarray(x)
        if arr.size > 6:
            return np.array2string(arr.ravel()[:6], precision=4, separator=", ")[:-1] + ", ...]"
        return np.array2string(arr, precision=4, separator=", ")
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    return str(x)


def first_difference(got: np.ndarray, want: np.ndarray, rtol: float, atol: float):
    """(index, got value, wanted value) of the largest mismatch, or None when close."""
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    error = np.where(close, 0.0, np.abs(got.astype(np.float64) - want.astype(np.float64)))
    error = np.nan_to_num(error, nan=np.inf)
    index = np.unravel_index(int(np.argmax(error)), got.shape) if got.ndim else ()
    return tuple(int(i) for i in index), got[index], want[index]


def tolerance(dtype) -> tuple[float, float]:
    """rtol, atol for comparing results computed in `dtype` by different but equivalent ops.

    float64 allows float32 rounding of constants (tf.nn.leaky_relu keeps alpha as a float32)."""
    return (1e-6, 1e-9) if np.dtype(dtype) == np.float64 else (1e-5, 1e-6)


def variable_changes(got: Values, want: Values, before: Values, scope_note: str = "") -> list[tuple[str, str, str]]:
    """(variable, kind, message) for every variable whose value after the student's op differs from the
    reference's; kind: missing | shape | moved_frozen | unchanged | moved.

    `got`, `want`, `before` map variable names to values (after the student's
    op, after the reference's op, and at initialisation).
    """
    problems = []
    for name in sorted(want):
        if name not in got:
            problems.append((name, "missing", _("variable {name} is missing from your graph").format(name=name)))
            continue
        g, w, b = np.asarray(got[name]), np.asarray(want[name]), np.asarray(before[name])
        if g.shape != w.shape:
            problems.append((name, "shape", _("{name} has shape {shape}, expected {expected}").format(
                name=name, shape=g.shape, expected=w.shape)))
            continue
        rtol, atol = tolerance(w.dtype)
        diff = first_difference(g, w, rtol, atol)
        if diff is None:
            continue
        index, gv, wv = diff
        where = f"{name}{list(index) if index else ''}"
        moved_want, moved_got = wv - b[index], gv - b[index]
        if np.allclose(w, b, rtol=rtol, atol=atol):
            problems.append((name, "moved_frozen", _("{where} should not change, but your op moved it by {moved}")
                             .format(where=where, moved=fmt(moved_got)) + scope_note))
        elif np.allclose(g, b, rtol=rtol, atol=atol):
            problems.append((name, "unchanged", _("{where} did not change; expected it to move by {expected} (from "
                                                  "{start} to {end})").format(
                where=where, expected=fmt(moved_want), start=fmt(b[index]), end=fmt(wv))))
        else:
            problems.append((name, "moved", _("{where} moved by {moved}; expected {expected} (from {start} to {end}, "
                                              "you reached {reached})").format(
                where=where, moved=fmt(moved_got), expected=fmt(moved_want), start=fmt(b[index]), end=fmt(wv),
                reached=fmt(gv))))
    return problems


def training_judge(tolerance_points: float, what: str, **values):
    """A judge that passes when the student's accuracy is at most `tolerance_points` below the reference's.
    `what` is marked with N_ (translated when judged), its placeholders filled from `values`."""
    def judge(got: Values, want: Values) -> Verdict:
        mine, ref = float(got["accuracy"]), float(want["accuracy"])
        summary = _("{what}: held-out accuracy {mine} with your function, {ref} with the reference (same seed, data "
                    "and budget; passes within {points} percentage points)").format(
            what=_(what).format(**values), mine=f"{mine:.2%}", ref=f"{ref:.2%}", points=f"{tolerance_points:g}")
        if mine >= ref - tolerance_points / 100:
            return Verdict(True, summary + _("."))
        return Verdict(False, summary + _(": yours is {points} points lower.").format(points=f"{100 * (ref - mine):.1f}"))
    return judge

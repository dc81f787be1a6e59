"""Exercise `transfer_mnist` (the book's exercise 9).

`subset`: sample_n_instances_per_class on labelled data the student never sees (n of each class,
all of a smaller class, rows of X with their own labels, none twice).
`frozen`: the handed-in model's logits use the five hidden layers of the exercise-8 model, with the
values that model has (frozen: training changed none of them).
`accuracy`: the handed-in model on digits 5-9 of the grading split; points scale from FLOOR to the
reference's accuracy, and an accuracy far above the reference's is flagged (more than 100 images
per digit?)."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict
from ..deep_mnist.model import accuracy_fraction
from .build import CASES
from .model import CEILING_ABOVE, FLOOR, FULL_MARKS_WITHIN, REUSED

FROZEN_TOLERANCE = 1e-6


def _subset_problem(got: Values, key: str, n: int) -> str | None:
    if key + ".error" in got:
        return str(got[key + ".error"])
    if key + ".foreign" not in got:
        return _("it returned X of shape {x_shape} and y of shape {y_shape}; expected rows of X and one label for "
                 "each").format(x_shape=tuple(int(s) for s in got[key + ".shape_X"]),
                                y_shape=tuple(int(s) for s in got[key + ".shape_y"]))
    if int(got[key + ".foreign"]) or not bool(got[key + ".unchanged"]):
        return _("it returned rows that are not rows of X unchanged")
    if not bool(got[key + ".labels_match"]):
        return _("a returned row does not come with its own label from y")
    if int(got[key + ".duplicates"]):
        return _("it returned {n} rows twice: take each instance at most once").format(
            n=int(got[key + ".duplicates"]))
    classes = [int(c) for c in np.asarray(got[key + ".classes"]).ravel()]
    counts, expected = np.asarray(got[key + ".counts"]).ravel(), np.asarray(got[key + ".expected"]).ravel()
    for c, have, want in zip(classes, counts, expected):
        if have != want:
            fewer = "" if want == n else _(" (it has only {n}, so all of them)").format(n=int(want))
            return _("class {c} has {have} instances in what it returned; expected {want}").format(
                c=c, have=int(have), want=int(want)) + fewer
    return None


def judge_subset(got: Values, want: Values) -> Verdict:
    problems = [_("with n={n} on {rows} rows of classes {classes}: {problem}").format(
                    n=n, rows=rows, classes=list(classes), problem=p)
                for i, (rows, classes, n) in enumerate(CASES) if (p := _subset_problem(got, f"c{i}", n))]
    if problems:
        return Verdict(False, _("; ").join(problems) + _("."))
    return Verdict(True, _("On {n} hidden data sets: n instances of each class (all of a class with fewer), each a "
                           "row of X with its own label, none twice.").format(n=len(CASES)))


def judge_frozen(got: Values, want: Values) -> Verdict:
    reused = [str(n) for n in np.asarray(got["reused"]).ravel() if str(n)]
    missing = [n for n in REUSED if n not in reused]
    if missing:
        return Verdict(False, _("The handed-in model's logits do not use {variable} of the exercise-8 model ({n} of "
                                "its {total} hidden-layer variables are not used): reuse all five hidden layers as "
                                "restored, without renaming them.").format(variable=missing[0], n=len(missing),
                                                                           total=len(REUSED)))
    changed = dict(zip(reused, np.asarray(got["changed"], float).ravel()))
    moved = [(n, d) for n, d in changed.items() if not d <= FROZEN_TOLERANCE]
    if moved:
        name, by = moved[0]
        return Verdict(False, _("{n} of the {total} reused variables changed in training, e.g. {name} by up to {by}: "
                                "the hidden layers are not frozen (minimize with var_list = the output layer's "
                                "variables only).").format(n=len(moved), total=len(REUSED), name=name,
                                                           by=f"{by:.3g}"))
    return Verdict(True, _("The handed-in model's logits use the five hidden layers of the exercise-8 model, with "
                           "exactly its values: they stayed frozen."))


def judge_accuracy(got: Values, want: Values) -> Verdict:
    mine, ref = float(got["accuracy"]), float(want["accuracy"])
    summary = _("Your transfer model: {mine} on {images} held-out images of digits 5-9 (the reference's: {ref}, same "
                "budget and data; no points at {floor} or less, full points from {full})").format(
        mine=f"{mine:.2%}", images=int(got["images"]), ref=f"{ref:.2%}", floor=f"{FLOOR:.0%}",
        full=f"{ref - FULL_MARKS_WITHIN:.2%}")
    if mine > ref + CEILING_ABOVE:
        return Verdict(False, summary + _(". That is {points} points above what 100 images per digit give the frozen "
                                          "network: was it trained on more than 100 images per digit, or were the "
                                          "hidden layers trained too?").format(points=f"{100 * (mine - ref):.0f}"),
                       0.0)
    fraction = accuracy_fraction(mine, ref, FLOOR, FULL_MARKS_WITHIN)
    return Verdict(fraction >= 1.0, summary + (_(".") if fraction >= 1.0 else
                                               _(": {share} of the points.").format(share=f"{fraction:.0%}")),
                   fraction)


EXERCISE = Exercise.of(
    public,
    Check("subset", N_("sample_n_instances_per_class takes n instances of each class"), 1.0, judge_subset),
    Check("frozen", N_("the transfer model reuses the exercise-8 hidden layers, frozen"), 1.5, judge_frozen,
          training=True, handin="transfer"),
    Check("accuracy", N_("the transfer model reaches the reference's accuracy on digits 5-9"), 1.5, judge_accuracy,
          training=True, handin="transfer"),
)

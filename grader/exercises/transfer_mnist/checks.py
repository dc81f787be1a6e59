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
from ..base import Check, Exercise, Values, Verdict
from ..deep_mnist.model import accuracy_fraction
from .build import CASES
from .model import CEILING_ABOVE, FLOOR, FULL_MARKS_WITHIN, REUSED

FROZEN_TOLERANCE = 1e-6


def _subset_problem(got: Values, key: str, n: int) -> str | None:
    if key + ".error" in got:
        return str(got[key + ".error"])
    if key + ".foreign" not in got:
        return (f"it returned X of shape {tuple(int(s) for s in got[key + '.shape_X'])} and y of shape "
                f"{tuple(int(s) for s in got[key + '.shape_y'])}; expected rows of X and one label for each")
    if int(got[key + ".foreign"]) or not bool(got[key + ".unchanged"]):
        return "it returned rows that are not rows of X unchanged"
    if not bool(got[key + ".labels_match"]):
        return "a returned row does not come with its own label from y"
    if int(got[key + ".duplicates"]):
        return f"it returned {int(got[key + '.duplicates'])} rows twice: take each instance at most once"
    classes = [int(c) for c in np.asarray(got[key + ".classes"]).ravel()]
    counts, expected = np.asarray(got[key + ".counts"]).ravel(), np.asarray(got[key + ".expected"]).ravel()
    for c, have, want in zip(classes, counts, expected):
        if have != want:
            fewer = "" if want == n else f" (it has only {int(want)}, so all of them)"
            return f"class {c} has {int(have)} instances in what it returned; expected {int(want)}{fewer}"
    return None


def judge_subset(got: Values, want: Values) -> Verdict:
    problems = [f"with n={n} on {rows} rows of classes {list(classes)}: {p}" for i, (rows, classes, n)
                in enumerate(CASES) if (p := _subset_problem(got, f"c{i}", n))]
    if problems:
        return Verdict(False, "; ".join(problems) + ".")
    return Verdict(True, f"On {len(CASES)} hidden data sets: n instances of each class (all of a class with fewer), "
                         "each a row of X with its own label, none twice.")


def judge_frozen(got: Values, want: Values) -> Verdict:
    reused = [str(n) for n in np.asarray(got["reused"]).ravel() if str(n)]
    missing = [n for n in REUSED if n not in reused]
    if missing:
        return Verdict(False, f"The handed-in model's logits do not use {missing[0]} of the exercise-8 model "
                              f"({len(missing)} of its {len(REUSED)} hidden-layer variables are not used): reuse all "
                              "five hidden layers as restored, without renaming them.")
    changed = dict(zip(reused, np.asarray(got["changed"], float).ravel()))
    moved = [(n, d) for n, d in changed.items() if not d <= FROZEN_TOLERANCE]
    if moved:
        name, by = moved[0]
        return Verdict(False, f"{len(moved)} of the {len(REUSED)} reused variables changed in training, e.g. {name} "
                              f"by up to {by:.3g}: the hidden layers are not frozen (minimize with var_list = the "
                              "output layer's variables only).")
    return Verdict(True, "The handed-in model's logits use the five hidden layers of the exercise-8 model, with "
                         "exactly its values: they stayed frozen.")


def judge_accuracy(got: Values, want: Values) -> Verdict:
    mine, ref = float(got["accuracy"]), float(want["accuracy"])
    summary = (f"Your transfer model: {mine:.2%} on {int(got['images'])} held-out images of digits 5-9 (the "
               f"reference's: {ref:.2%}, same budget and data; no points at {FLOOR:.0%} or less, full points from "
               f"{ref - FULL_MARKS_WITHIN:.2%})")
    if mine > ref + CEILING_ABOVE:
        return Verdict(False, f"{summary}. That is {100 * (mine - ref):.0f} points above what 100 images per digit "
                              "give the frozen network: was it trained on more than 100 images per digit, or were "
                              "the hidden layers trained too?", 0.0)
    fraction = accuracy_fraction(mine, ref, FLOOR, FULL_MARKS_WITHIN)
    return Verdict(fraction >= 1.0, summary + ("." if fraction >= 1.0 else f": {fraction:.0%} of the points."),
                   fraction)


EXERCISE = Exercise.of(
    public,
    Check("subset", "sample_n_instances_per_class takes n instances of each class", 1.0, judge_subset),
    Check("frozen", "the transfer model reuses the exercise-8 hidden layers, frozen", 1.5, judge_frozen,
          training=True, handin="transfer"),
    Check("accuracy", "the transfer model reaches the reference's accuracy on digits 5-9", 1.5, judge_accuracy,
          training=True, handin="transfer"),
)

"""deep_mnist (the book's exercise 8): what the notebook, the builder and the judge share.

The notebook trains three networks on digits 0-4 and hands each in with grader.save_for_grading;
the judge evaluates them on digits 0-4 of the grading split. Points scale with the accuracy,
from nothing at FLOOR to full marks within FULL_MARKS_WITHIN of the reference's accuracy (the
reference notebook, run by the grader with the same budget and data)."""
from __future__ import annotations

DIGITS = (0, 1, 2, 3, 4)
# The grading budget of notebook 07 (the grader's parameters cell): epochs at most, and early
# stopping's patience in epochs.
NOTEBOOK_PARAMETERS = {"n_epochs": 20, "max_epochs_without_progress": 5}
FLOOR = 0.90              # a 5-way classifier at 90% or less earns nothing
FULL_MARKS_WITHIN = 0.015  # full marks at 1.5 points below the reference's accuracy or better


def accuracy_fraction(mine: float, reference: float, floor: float = FLOOR,
                      within: float = FULL_MARKS_WITHIN) -> float:
    """The share of a trained model's points: 0 at `floor`, 1 at `reference - within`, linear between."""
    top = max(reference - within, floor + 0.01)
    return float(min(1.0, max(0.0, (mine - floor) / (top - floor))))

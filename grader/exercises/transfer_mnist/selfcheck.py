"""`transfer_mnist`, public self-check (shipped to students; runs in their kernel): `grader.check("transfer_mnist")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed
from grader.i18n import _

ID = "transfer_mnist"
NOTEBOOK = "08_exercise_9_transfer"
FUNCTION = "sample_n_instances_per_class"
SIGNATURE = "sample_n_instances_per_class(X, y, n=100)"
POSITION = 0


def check(fn) -> list[str]:
    y = np.array([2, 0, 2, 1, 2, 0, 2, 2, 1, 0, 0, 0])
    X = np.arange(len(y) * 3, dtype=np.float32).reshape(len(y), 3)  # row i starts with 3 * i
    X_small, y_small = (np.asarray(a) for a in fn(X, y, n=3))
    if X_small.ndim != 2 or X_small.shape[1:] != (3,) or len(X_small) != len(y_small):
        raise Failed(_("with X of shape {shape} it returned X of shape {x_shape} and y of shape {y_shape}; expected "
                       "rows of X and as many labels").format(shape=X.shape, x_shape=X_small.shape,
                                                              y_shape=y_small.shape))
    counts = {int(c): int(np.sum(y_small == c)) for c in np.unique(y)}
    if counts != {0: 3, 1: 2, 2: 3}:
        raise Failed(_("with n=3 and y = {y} it returned {counts} instances per class; expected {expected} (n per "
                       "class, all of class 1, which has only 2)")
                     .format(y=y.tolist(), counts=counts, expected={0: 3, 1: 2, 2: 3}))
    rows = (X_small[:, 0] // 3).astype(int)
    if len(set(rows.tolist())) != len(rows):
        raise Failed(_("it returned the same row of X twice: take each instance at most once"))
    if not np.array_equal(X[rows], X_small) or not np.array_equal(y[rows], y_small):
        raise Failed(_("a returned row of X does not come with its own label from y"))
    return [_("n instances of each class (all of a class that has fewer), each row of X with its own label")]

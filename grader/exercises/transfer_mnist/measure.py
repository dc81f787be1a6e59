"""transfer_mnist, judge side: what the student's sampling took (rows are numbered in column 0), and
the handed-in model: its reused hidden layers against the exercise-8 model's, its accuracy on digits
5-9 of the grading split."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from grader.judge import handins
from grader.judge.verify import Refused

from .build import CASES, case_data
from .model import DIGITS, PROVIDED, REUSED
from grader.i18n import _


def _array(blob: bytes) -> np.ndarray:
    try:
        return np.load(io.BytesIO(blob), allow_pickle=False)
    except (OSError, ValueError, EOFError):
        raise Refused(_("what your function returned could not be read back")) from None


def _subset_case(artifact, i: int) -> dict:
    built = artifact.info.get(f"c{i}")
    if not isinstance(built, dict) or "error" in built or f"c{i}.X" not in artifact.blobs:
        return {"error": f"your function raised {str((built or {}).get('error', 'nothing'))[:300]}"}
    X, y, n = case_data(i)
    X_small, y_small = _array(artifact.blobs[f"c{i}.X"]), _array(artifact.blobs[f"c{i}.y"])
    out = {"shape_X": np.array(X_small.shape), "shape_y": np.array(y_small.shape)}
    if X_small.ndim != 2 or X_small.shape[1:] != X.shape[1:] or y_small.shape != (len(X_small),):
        return out
    rows = X_small[:, 0].astype(np.int64)
    valid = (rows >= 0) & (rows < len(X)) & (X_small[:, 0] == rows)
    out["foreign"] = int(np.sum(~valid))
    if out["foreign"]:
        return out
    out["unchanged"] = bool(np.array_equal(X[rows], X_small))
    out["labels_match"] = bool(np.array_equal(y[rows], y_small))
    out["duplicates"] = int(len(rows) - len(np.unique(rows)))
    classes = np.unique(y)
    out["classes"] = classes
    out["counts"] = np.array([int(np.sum(y_small == c)) for c in classes])
    out["expected"] = np.array([min(n, int(np.sum(y == c))) for c in classes])
    out["extra_labels"] = int(np.sum(~np.isin(y_small, classes)))
    return out


def measure_subset(artifact, ctx) -> dict:
    return {f"c{i}.{k}": v for i in range(len(CASES)) for k, v in _subset_case(artifact, i).items()}


def provided_values(ctx) -> dict[str, np.ndarray]:
    """The exercise-8 model's reused variables, read from the judge's own checkpoint."""
    from grader.graphs import tf
    reader = tf.train.load_checkpoint(str(Path(ctx.pretrained).parent / PROVIDED / "model"))
    return {name: reader.get_tensor(name) for name in REUSED}


def measure_frozen(artifact, ctx) -> dict:
    provided = provided_values(ctx)
    handin = handins.load_handin(artifact)
    try:
        used = [name for name in REUSED if name in handin.used]
        values = {name: handins.variable_value(handin, name) for name in used}
        changed = np.array([float(np.max(np.abs(values[n] - provided[n]))) if values[n].shape == provided[n].shape
                            else np.inf for n in used] or [0.0])
        return {"reused": np.array(used or [""]), "changed": changed, "count": len(used)}
    finally:
        handins.close(handin)


def measure_accuracy(artifact, ctx) -> dict:
    handin = handins.load_handin(artifact)
    try:
        return handins.accuracy(handin, ctx.budget, DIGITS)
    finally:
        handins.close(handin)


MEASURES = {"subset": measure_subset, "frozen": measure_frozen, "accuracy": measure_accuracy}

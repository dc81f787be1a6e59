"""transfer_mnist, builder side: the student's sample_n_instances_per_class on labelled data the
student never sees (rows numbered so that the judge can tell which were taken). The trained model is
not built here: the notebook hands it in (grader.save_for_grading) and the judge loads it."""
from __future__ import annotations

import io

import numpy as np

# (number of rows, classes, n): one with the book's n, one where some classes have fewer than n.
CASES = ((1200, (0, 1, 2, 3, 4), 100), (90, (3, 7, 9), 25))
SEED = 90210


def case_data(i: int):
    rows, classes, n = CASES[i]
    rng = np.random.RandomState(SEED + i)
    weights = np.linspace(1.0, 3.0, len(classes))
    y = rng.choice(np.array(classes), size=rows, p=weights / weights.sum())
    X = np.column_stack([np.arange(rows, dtype=np.float32), rng.uniform(size=(rows, 3)).astype(np.float32)])
    return X, y.astype(np.int64), n


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def build_subset(fn, workdir):
    info, blobs = {}, {}
    for i in range(len(CASES)):
        X, y, n = case_data(i)
        try:
            X_small, y_small = fn(X.copy(), y.copy(), n=n)
            X_small, y_small = np.asarray(X_small), np.asarray(y_small)
            if X_small.dtype.kind not in "fiub" or y_small.dtype.kind not in "fiub" or X_small.size > 10 ** 6:
                raise TypeError("it did not return two arrays of numbers")
            blobs[f"c{i}.X"], blobs[f"c{i}.y"] = _npy(X_small), _npy(y_small)
            info[f"c{i}"] = {}
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[f"c{i}"] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return info, blobs


BUILDS = {"subset": build_subset}

"""Exercise `max_norm`: max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm")
returns max_norm(weights), which adds to `collection` an op assigning
tf.clip_by_norm(weights, clip_norm=threshold, axes=axes) to weights, and returns None."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES

HINT = ("Hint: max_norm(weights) clips the weights with tf.clip_by_norm along `axes` (clip_norm is the threshold), "
        "adds an op assigning the clipped values to the weights (tf.assign) to the collection with "
        "tf.add_to_collection, and returns None.")


def _strings(values) -> list[str]:
    return [str(v) for v in np.asarray(values).ravel() if str(v)]


def clip(w: np.ndarray, threshold: float, axes: int) -> np.ndarray:
    """tf.clip_by_norm in numpy."""
    norms = np.linalg.norm(w.astype(np.float64), axis=axes, keepdims=True)
    return w * np.minimum(1.0, threshold / np.maximum(norms, 1e-30))


def _slice(axes: int, index: tuple) -> str:
    """The slice (along `axes`) that holds element `index` of a 2-D kernel."""
    return f"row {index[0]}" if axes == 1 else f"column {index[1]}"


def _kernel_problem(got: Values, want: Values, key: str, case, name: str) -> str | None:
    g, w = np.asarray(got[f"{key}.after:{name}"]), np.asarray(want[f"{key}.after:{name}"])
    before = np.asarray(got[f"{key}.before:{name}"])
    diff = first_difference(g, w, *tolerance(w.dtype))
    if diff is None:
        return None
    index, _, _ = diff
    axes, threshold = case.axes, case.threshold
    norm = lambda a: float(np.linalg.norm(a[index[0], :] if axes == 1 else a[:, index[1]]))  # noqa: E731
    where = f"{_slice(axes, index)} of {name} (norm {fmt(norm(before))} before)"
    message = f"{where} has a norm of {fmt(norm(g))} after the collection's ops ran; expected {fmt(norm(w))}"
    other = 1 - axes
    if np.allclose(g, clip(before, threshold, other), rtol=1e-5, atol=1e-6):
        message += (f": your ops clipped each {'column' if other == 0 else 'row'} (axes={other}) instead "
                    f"of each {'row' if axes == 1 else 'column'} (axes={axes}): pass `axes` to tf.clip_by_norm")
    elif np.allclose(g, before, rtol=1e-5, atol=1e-6):
        message += ": the kernel did not change"
    return message


def _case_problem(got: Values, want: Values, key: str, case) -> str | None:
    if key + ".error" in got:
        return got[key + ".error"]
    returned = [r for r in _strings(got[key + ".returned"]) if r != "None"]
    count, collection = int(got[key + ".count"]), case.collection
    kernels = len(case.kernels)
    if returned:
        instead = (f" instead of adding an assign op to the collection {collection!r} (which stayed empty)"
                   if count == 0 else "")
        return (f"max_norm(weights) returned a {returned[0]}{instead}; it must return None: tf.layers adds whatever "
                "a kernel_regularizer returns to tf.GraphKeys.REGULARIZATION_LOSSES as a loss term, and max-norm "
                "has none (the clipping is an op in the collection, run after each training step)")
    if count == 0:
        others = _strings(got[key + ".others"])
        where = f"; your function filled the collection(s) {', '.join(others)}" if others else ""
        if int(got[key + ".not_ops"]):
            where += "; it holds something that is not an op or tensor of the graph"
        return (f"after calling the regularizer on {kernels} kernels, the collection {collection!r} is empty"
                f"{where}: add each clipping op to the collection named by `collection` (tf.add_to_collection)")
    for name, _ in case.kernels:
        problem = _kernel_problem(got, want, key, case, name)
        if problem:
            types = sorted(set(_strings(got[key + ".types"])))
            if "did not change" in problem and not any(t.startswith("Assign") for t in types):
                problem += (f" (the collection holds {count} ops of type {', '.join(types)}, none of which "
                            "assigns the clipped value to the weights: add the tf.assign op, not the clipped tensor)")
            return problem
    return None


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        problem = _case_problem(got, want, f"c{i}", case)
        if problem:
            problems.append(f"with {case.call()}, running the ops of collection {case.collection!r}: {problem}")
    checked = (f"{len(CASES)} hidden sets of kernels (thresholds 0.5 to 2.0, axes 1 and 0, another collection name; "
               "slices above and within the threshold)")
    if problems:
        return Verdict(False, f"Checked on {checked}: " + "; ".join(problems[:2])
                       + ("" if len(problems) <= 2 else f"; and {len(problems) - 2} more") + f". {HINT}")
    return Verdict(True, f"On {checked}: after running the collection's ops every slice along `axes` has a norm of "
                         "at most the threshold, the others are unchanged, and the regularizer returns None.")


EXERCISE = Exercise.of(
    public,
    Check("values", "collects ops that clip each kernel's norm along axes", 1.5, judge_values),
    Check("trained", "trains the book's max-norm MLP to the reference's accuracy", 0.5,
          training_judge(2.0, "300-50-10 MLP with max-norm (threshold 1.0) on both hidden kernels, clip ops "
                              "run after every training step"), training=True),
)

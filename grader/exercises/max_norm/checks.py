"""Exercise `max_norm`: max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm")
returns max_norm(weights), which adds to `collection` an op assigning
tf.clip_by_norm(weights, clip_norm=threshold, axes=axes) to weights, and returns None."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES

HINT = N_("Hint: max_norm(weights) clips the weights with tf.clip_by_norm along `axes` (clip_norm is the threshold), "
        "adds an op assigning the clipped values to the weights (tf.assign) to the collection with "
        "tf.add_to_collection, and returns None.")


def _unchanged() -> str:
    return _(": the kernel did not change")


def _strings(values) -> list[str]:
    return [str(v) for v in np.asarray(values).ravel() if str(v)]


def clip(w: np.ndarray, threshold: float, axes: int) -> np.ndarray:
    """tf.clip_by_norm in numpy."""
    norms = np.linalg.norm(w.astype(np.float64), axis=axes, keepdims=True)
    return w * np.minimum(1.0, threshold / np.maximum(norms, 1e-30))


def _slice(axes: int, index: tuple) -> str:
    """The slice (along `axes`) that holds element `index` of a 2-D kernel."""
    return _("row {i}").format(i=index[0]) if axes == 1 else _("column {i}").format(i=index[1])


def _kernel_problem(got: Values, want: Values, key: str, case, name: str) -> str | None:
    g, w = np.asarray(got[f"{key}.after:{name}"]), np.asarray(want[f"{key}.after:{name}"])
    before = np.asarray(got[f"{key}.before:{name}"])
    diff = first_difference(g, w, *tolerance(w.dtype))
    if diff is None:
        return None
    index = diff[0]
    axes, threshold = case.axes, case.threshold
    norm = lambda a: float(np.linalg.norm(a[index[0], :] if axes == 1 else a[:, index[1]]))  # noqa: E731
    message = _("{slice} of {name} (norm {before} before) has a norm of {got} after the collection's ops ran; "
                "expected {expected}").format(slice=_slice(axes, index), name=name, before=fmt(norm(before)),
                                              got=fmt(norm(g)), expected=fmt(norm(w)))
    other = 1 - axes
    if np.allclose(g, clip(before, threshold, other), rtol=1e-5, atol=1e-6):
        message += (_(": your ops clipped each column (axes={other}) instead of each row (axes={axes}): pass `axes` "
                      "to tf.clip_by_norm") if other == 0 else
                    _(": your ops clipped each row (axes={other}) instead of each column (axes={axes}): pass `axes` "
                      "to tf.clip_by_norm")).format(other=other, axes=axes)
    elif np.allclose(g, before, rtol=1e-5, atol=1e-6):
        message += _unchanged()
    return message


def _case_problem(got: Values, want: Values, key: str, case) -> str | None:
    if key + ".error" in got:
        return got[key + ".error"]
    returned = [r for r in _strings(got[key + ".returned"]) if r != "None"]
    count, collection = int(got[key + ".count"]), case.collection
    kernels = len(case.kernels)
    if returned:
        instead = (_(" instead of adding an assign op to the collection {collection} (which stayed empty)")
                   .format(collection=repr(collection)) if count == 0 else "")
        return _("max_norm(weights) returned a {returned}{instead}; it must return None: tf.layers adds whatever a "
                 "kernel_regularizer returns to tf.GraphKeys.REGULARIZATION_LOSSES as a loss term, and max-norm has "
                 "none (the clipping is an op in the collection, run after each training step)").format(
            returned=returned[0], instead=instead)
    if count == 0:
        others = _strings(got[key + ".others"])
        where = _("; your function filled the collection(s) {others}").format(others=", ".join(others)) \
            if others else ""
        if int(got[key + ".not_ops"]):
            where += _("; it holds something that is not an op or tensor of the graph")
        return _("after calling the regularizer on {kernels} kernels, the collection {collection} is empty{where}: "
                 "add each clipping op to the collection named by `collection` (tf.add_to_collection)").format(
            kernels=kernels, collection=repr(collection), where=where)
    for name, _shape in case.kernels:
        problem = _kernel_problem(got, want, key, case, name)
        if problem:
            types = sorted(set(_strings(got[key + ".types"])))
            if problem.endswith(_unchanged()) and not any(t.startswith("Assign") for t in types):
                problem += _(" (the collection holds {count} ops of type {types}, none of which assigns the clipped "
                             "value to the weights: add the tf.assign op, not the clipped tensor)").format(
                    count=count, types=", ".join(types))
            return problem
    return None


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        problem = _case_problem(got, want, f"c{i}", case)
        if problem:
            problems.append(_("with {call}, running the ops of collection {collection}: {problem}").format(
                call=case.call(), collection=repr(case.collection), problem=problem))
    checked = _("{n} hidden sets of kernels (thresholds 0.5 to 2.0, axes 1 and 0, another collection name; slices "
                "above and within the threshold)").format(n=len(CASES))
    if problems:
        return Verdict(False, _("Checked on {checked}: {problems}").format(
            checked=checked, problems=_("; ").join(problems[:2]))
            + ("" if len(problems) <= 2 else _("; and {n} more").format(n=len(problems) - 2)) + _(". ") + _(HINT))
    return Verdict(True, _("On {checked}: after running the collection's ops every slice along `axes` has a norm of "
                           "at most the threshold, the others are unchanged, and the regularizer returns None.")
                   .format(checked=checked))


EXERCISE = Exercise.of(
    public,
    Check("values", N_("collects ops that clip each kernel's norm along axes"), 1.5, judge_values),
    Check("trained", N_("trains the book's max-norm MLP to the reference's accuracy"), 0.5,
          training_judge(2.0, N_("300-50-10 MLP with max-norm (threshold 1.0) on both hidden kernels, clip ops "
                                 "run after every training step")), training=True),
)

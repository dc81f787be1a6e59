"""Exercise `deep_mnist` (the book's exercise 8).

`structure`: what dnn(...) builds, for its defaults and two settings the student never sees: the
number and width of the dense layers, the activation (the judge recomputes activation(x·W + b)
layer after layer from the student's own initial weights), He initialisation (the variance of the
initial kernels, 2 / fan_in), and the scope `name`.
`plain`, `batch_norm`, `dropout`: the models the notebook trained and handed in, evaluated on
digits 0-4 of the grading split; points scale from FLOOR to the reference's accuracy."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict
from .build import CASES
from .model import FLOOR, FULL_MARKS_WITHIN, HANDINS, accuracy_fraction

SAME = 1e-4          # largest relative difference between the output and the recomputed layers
VARIANCE_RATIO = (0.75, 1.33)


def _variance_problem(got: Values, key: str, case) -> str | None:
    variances, fan_ins = np.asarray(got[key + ".variances"], float), np.asarray(got[key + ".fan_ins"], int)
    for layer, (variance, fan_in) in enumerate(zip(variances, fan_ins), start=1):
        want = 2.0 / fan_in if case.variance == "he" else 1.0 / 12
        ratio = variance / want
        if VARIANCE_RATIO[0] <= ratio <= VARIANCE_RATIO[1]:
            continue
        if case.variance != "he":
            return (f"layer {layer}'s initial weights have variance {variance:.3g}, but the initializer passed "
                    f"as `initializer` gives {want:.3g}: give `initializer` to every layer (kernel_initializer)")
        note = ""
        if 0.4 <= ratio <= 0.6:
            note = (" — that is 1 / fan_in, tf.variance_scaling_initializer() with its default scale=1.0; "
                    "He initialisation is scale=2.0, the notebook's he_init")
        return (f"layer {layer}'s initial weights have variance {variance:.3g}; He initialisation gives "
                f"2 / fan_in = 2 / {fan_in} = {want:.3g}{note}. Use `initializer` (default he_init) as "
                "each layer's kernel_initializer")
    return None


def _case_problem(got: Values, key: str, case) -> str | None:
    if key + ".error" in got:
        return str(got[key + ".error"])
    if str(got[key + ".problem"]):
        return str(got[key + ".problem"])
    layers, widths = int(got[key + ".layers"]), [int(w) for w in np.asarray(got[key + ".widths"]).ravel()]
    if layers != case.layers:
        return f"it built {layers} dense layer{'s' * (layers != 1)}; expected n_hidden_layers = {case.layers}"
    if any(w != case.neurons for w in widths):
        return f"its layers have {widths} neurons; expected n_neurons = {case.neurons} in each"
    shape = [int(s) for s in np.asarray(got[key + ".shape"]).ravel()]
    if shape[-1:] != [case.neurons]:
        return (f"it returned a tensor of shape {shape} for 64 inputs; expected (64, {case.neurons}), the last "
                "hidden layer's output")
    errors = {a: float(got[f"{key}.error.{a}"]) for a in ("elu", "relu", "sigmoid", "identity")
              if f"{key}.error.{a}" in got}
    if errors.get(case.activation, np.inf) > SAME:
        matched = [a for a, e in errors.items() if e <= SAME]
        if matched:
            return (f"its output is {matched[0]}(x·W + b) layer after layer, not {case.activation}: give "
                    "`activation` to every layer")
        return (f"its output is not {case.activation}(x·W + b) computed layer after layer from its own weights "
                f"(largest relative difference {errors.get(case.activation, np.inf):.3g}); return the last "
                "hidden layer's output")
    variance = _variance_problem(got, key, case)
    if variance:
        return variance
    if case.scope:
        names = [str(n) for n in np.asarray(got[key + ".names"]).ravel()]
        outside = [n for n in names + [str(got[key + ".output_name"])] if not n.startswith(case.scope + "/")]
        if outside:
            return (f"with name=\"{case.scope}\", {outside[0]} is not under the scope {case.scope}/: build the "
                    "layers in tf.variable_scope(name, default_name=\"dnn\")")
    return None


def judge_structure(got: Values, want: Values) -> Verdict:
    problems = [f"{case.describe()}: {p}" for i, case in enumerate(CASES)
                if (p := _case_problem(got, f"c{i}", case))]
    checked = (f"{len(CASES)} calls (the defaults on 784 inputs; 3 ReLU layers of 17 under name=\"net7\" with a "
               "uniform initializer; 1 sigmoid layer of 40), each run on 64 hidden inputs")
    if problems:
        return Verdict(False, f"Checked {checked}: " + "; ".join(problems[:2]) + ".")
    return Verdict(True, f"On {checked}: the layers, their widths, the activation, the initial weights' variance "
                         "and the scope are as asked.")


def _accuracy_verdict(what: str, got: Values, want: Values, problem: str | None = None) -> Verdict:
    mine, ref = float(got["accuracy"]), float(want["accuracy"])
    summary = (f"Your {what} model: {mine:.2%} on {int(got['images'])} held-out images of digits 0-4 "
               f"(the reference's: {ref:.2%}, same budget and data; no points at {FLOOR:.0%} or less, full points "
               f"from {ref - FULL_MARKS_WITHIN:.2%})")
    if problem:
        return Verdict(False, f"{summary}. But {problem}.", 0.0)
    fraction = accuracy_fraction(mine, ref)
    return Verdict(fraction >= 1.0, summary + ("." if fraction >= 1.0 else f": {fraction:.0%} of the points."),
                   fraction)


def judge_plain(got: Values, want: Values) -> Verdict:
    return _accuracy_verdict("plain (8.2-8.3)", got, want)


def judge_batch_norm(got: Values, want: Values) -> Verdict:
    problem = None
    layers, moved, statistics = int(got["bn_layers"]), int(got["bn_moved"]), int(got["bn_statistics"])
    activations, after = int(got["activations"]), int(got["activations_after_bn"])
    if layers == 0:
        problem = "its logits use no batch normalization layer (no moving_mean variable)"
    elif moved < statistics:
        problem = (f"{statistics - moved} of its {statistics} moving means and variances are still at their "
                   "initial 0 and 1: the update ops (tf.GraphKeys.UPDATE_OPS) never ran during training; run "
                   "them with each training step")
    elif after < activations:
        problem = (f"{activations - after} of its {activations} activations are not fed by batch normalization: "
                   "the book normalizes each layer's output before its activation")
    return _accuracy_verdict("batch-normalized (8.4)", got, want, problem)


def judge_dropout(got: Values, want: Values) -> Verdict:
    problem = None
    if not bool(got["has_switch"]):
        problem = ("it was handed in without a `training` placeholder: pass it to grader.save_for_grading so "
                   "that dropout can be switched off for evaluation")
    elif float(got["test_time_differs"]) > 0:
        problem = (f"with training=False two evaluations of the same images differ (by up to "
                   f"{float(got['test_time_differs']):.3g} in a logit): dropout is on at test time")
    elif float(got.get("training_differs", 0.0)) == 0:
        problem = "with training=True two evaluations give the same logits: nothing is dropped while training"
    return _accuracy_verdict("dropout (8.5)", got, want, problem)


EXERCISE = Exercise.of(
    public,
    Check("structure", "dnn builds the layers, activation, He initialisation and scope asked for", 2.0,
          judge_structure),
    Check("plain", f"the trained network ({HANDINS['plain']}) reaches the reference's accuracy", 2.0,
          judge_plain, training=True, handin="plain"),
    Check("batch_norm", f"the trained network ({HANDINS['batch_norm']}) updates its statistics and reaches the "
          "reference's accuracy", 1.5, judge_batch_norm, training=True, handin="batch_norm"),
    Check("dropout", f"the trained network ({HANDINS['dropout']}) drops only while training and reaches the "
          "reference's accuracy", 1.5, judge_dropout, training=True, handin="dropout"),
)

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
from ...i18n import N_, _, ngettext
from ..base import Check, Exercise, Values, Verdict
from .build import CASES
from .model import FLOOR, FULL_MARKS_WITHIN, accuracy_fraction

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
            return _("layer {layer}'s initial weights have variance {variance}, but the initializer passed as "
                     "`initializer` gives {want}: give `initializer` to every layer (kernel_initializer)").format(
                layer=layer, variance=f"{variance:.3g}", want=f"{want:.3g}")
        note = ""
        if 0.4 <= ratio <= 0.6:
            note = _(" — that is 1 / fan_in, tf.variance_scaling_initializer() with its default scale=1.0; "
                     "He initialisation is scale=2.0, the notebook's he_init")
        return _("layer {layer}'s initial weights have variance {variance}; He initialisation gives 2 / fan_in = "
                 "2 / {fan_in} = {want}{note}. Use `initializer` (default he_init) as each layer's "
                 "kernel_initializer").format(layer=layer, variance=f"{variance:.3g}", fan_in=fan_in,
                                               want=f"{want:.3g}", note=note)
    return None


def _case_problem(got: Values, key: str, case) -> str | None:
    if key + ".error" in got:
        return str(got[key + ".error"])
    if str(got[key + ".problem"]):
        return str(got[key + ".problem"])
    layers, widths = int(got[key + ".layers"]), [int(w) for w in np.asarray(got[key + ".widths"]).ravel()]
    if layers != case.layers:
        return ngettext("it built {layers} dense layer; expected n_hidden_layers = {expected}",
                        "it built {layers} dense layers; expected n_hidden_layers = {expected}", layers).format(
            layers=layers, expected=case.layers)
    if any(w != case.neurons for w in widths):
        return _("its layers have {widths} neurons; expected n_neurons = {expected} in each").format(
            widths=widths, expected=case.neurons)
    shape = [int(s) for s in np.asarray(got[key + ".shape"]).ravel()]
    if shape[-1:] != [case.neurons]:
        return _("it returned a tensor of shape {shape} for 64 inputs; expected (64, {neurons}), the last hidden "
                 "layer's output").format(shape=shape, neurons=case.neurons)
    errors = {a: float(got[f"{key}.error.{a}"]) for a in ("elu", "relu", "sigmoid", "identity")
              if f"{key}.error.{a}" in got}
    if errors.get(case.activation, np.inf) > SAME:
        matched = [a for a, e in errors.items() if e <= SAME]
        if matched:
            return _("its output is {found}(x·W + b) layer after layer, not {activation}: give `activation` to every "
                     "layer").format(found=matched[0], activation=case.activation)
        return _("its output is not {activation}(x·W + b) computed layer after layer from its own weights (largest "
                 "relative difference {error}); return the last hidden layer's output").format(
            activation=case.activation, error=f"{errors.get(case.activation, np.inf):.3g}")
    variance = _variance_problem(got, key, case)
    if variance:
        return variance
    if case.scope:
        names = [str(n) for n in np.asarray(got[key + ".names"]).ravel()]
        outside = [n for n in names + [str(got[key + ".output_name"])] if not n.startswith(case.scope + "/")]
        if outside:
            return _("with name=\"{scope}\", {outside} is not under the scope {scope}/: build the layers in "
                     "tf.variable_scope(name, default_name=\"dnn\")").format(scope=case.scope, outside=outside[0])
    return None


def judge_structure(got: Values, want: Values) -> Verdict:
    problems = [f"{case.describe()}: {p}" for i, case in enumerate(CASES)
                if (p := _case_problem(got, f"c{i}", case))]
    checked = _("{n} calls (the defaults on 784 inputs; 3 ReLU layers of 17 under name=\"net7\" with a uniform "
                "initializer; 1 sigmoid layer of 40), each run on 64 hidden inputs").format(n=len(CASES))
    if problems:
        return Verdict(False, _("Checked {checked}: {problems}").format(
            checked=checked, problems=_("; ").join(problems[:2])) + _("."))
    return Verdict(True, _("On {checked}: the layers, their widths, the activation, the initial weights' variance "
                           "and the scope are as asked.").format(checked=checked))


def _accuracy_verdict(what: str, got: Values, want: Values, problem: str | None = None) -> Verdict:
    mine, ref = float(got["accuracy"]), float(want["accuracy"])
    summary = _("Your {what} model: {mine} on {images} held-out images of digits 0-4 (the reference's: {ref}, same "
                "budget and data; no points at {floor} or less, full points from {full})").format(
        what=_(what), mine=f"{mine:.2%}", images=int(got["images"]), ref=f"{ref:.2%}", floor=f"{FLOOR:.0%}",
        full=f"{ref - FULL_MARKS_WITHIN:.2%}")
    if problem:
        return Verdict(False, summary + _(". But {problem}.").format(problem=problem), 0.0)
    fraction = accuracy_fraction(mine, ref)
    return Verdict(fraction >= 1.0, summary + (_(".") if fraction >= 1.0 else
                                               _(": {share} of the points.").format(share=f"{fraction:.0%}")),
                   fraction)


def judge_plain(got: Values, want: Values) -> Verdict:
    return _accuracy_verdict(N_("plain (8.2-8.3)"), got, want)


def judge_batch_norm(got: Values, want: Values) -> Verdict:
    problem = None
    layers, moved, statistics = int(got["bn_layers"]), int(got["bn_moved"]), int(got["bn_statistics"])
    activations, after = int(got["activations"]), int(got["activations_after_bn"])
    if layers == 0:
        problem = _("its logits use no batch normalization layer (no moving_mean variable)")
    elif moved < statistics:
        problem = _("{n} of its {total} moving means and variances are still at their initial 0 and 1: the update "
                    "ops (tf.GraphKeys.UPDATE_OPS) never ran during training; run them with each training step"
                    ).format(n=statistics - moved, total=statistics)
    elif after < activations:
        problem = _("{n} of its {total} activations are not fed by batch normalization: the book normalizes each "
                    "layer's output before its activation").format(n=activations - after, total=activations)
    return _accuracy_verdict(N_("batch-normalized (8.4)"), got, want, problem)


def judge_dropout(got: Values, want: Values) -> Verdict:
    problem = None
    if not bool(got["has_switch"]):
        problem = _("it was handed in without a `training` placeholder: pass it to grader.save_for_grading so that "
                    "dropout can be switched off for evaluation")
    elif float(got["test_time_differs"]) > 0:
        problem = _("with training=False two evaluations of the same images differ (by up to {by} in a logit): "
                    "dropout is on at test time").format(by=f"{float(got['test_time_differs']):.3g}")
    elif float(got.get("training_differs", 0.0)) == 0:
        problem = _("with training=True two evaluations give the same logits: nothing is dropped while training")
    return _accuracy_verdict(N_("dropout (8.5)"), got, want, problem)


EXERCISE = Exercise.of(
    public,
    Check("structure", N_("dnn builds the layers, activation, He initialisation and scope asked for"), 2.0,
          judge_structure),
    Check("plain", N_("the trained network (8.2-8.3, the plain network (He initialisation, ELU, Adam, early "
                      "stopping)) reaches the reference's accuracy"), 2.0,
          judge_plain, training=True, handin="plain"),
    Check("batch_norm", N_("the trained network (8.4, with batch normalization) updates its statistics and reaches "
                           "the reference's accuracy"), 1.5, judge_batch_norm, training=True, handin="batch_norm"),
    Check("dropout", N_("the trained network (8.5, with dropout) drops only while training and reaches the "
                        "reference's accuracy"), 1.5, judge_dropout, training=True, handin="dropout"),
)

"""Exercise `lr_schedule`: scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000,
decay_rate=0.1, momentum=0.9) returns (training_op, learning_rate); each run of training_op is one
MomentumOptimizer step with the current learning rate and advances the schedule by one; after k runs
learning_rate is initial_learning_rate * decay_rate ** (k / decay_steps)."""
from __future__ import annotations

import math

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _, ngettext
from ..base import Check, Exercise, Values, Verdict, first_difference, fmt, tolerance, training_judge
from .build import CASES, Case
from .model import HYPERPARAMETERS as BOOK

RTOL, ATOL = 1e-5, 1e-9
STEP_HINT = N_("Hint: pass the step variable to optimizer.minimize(loss, global_step=global_step): "
             "minimize then increments it once per run, after the update.")


def _rates(values: Values, i: int, case: Case) -> list[np.ndarray]:
    return [np.asarray(values[f"s{i}.lr:{k}"], dtype=np.float64) for k in range(case.runs + 1)]


def _close(a, b) -> bool:
    return bool(np.isclose(a, b, rtol=RTOL, atol=ATOL))


def _rate_hint(case: Case, got: list[float], k: int) -> str:
    """Why the learning rate after k runs (got[k]) differs from the schedule's."""
    initial, rate, steps = case.initial_learning_rate, case.decay_rate, case.decay_steps
    if all(_close(g, got[0]) for g in got):
        return _("Your learning rate never changes: the schedule's step does not advance.") + " " + _(STEP_HINT)
    if all(_close(g, initial * rate ** (j // steps)) for j, g in enumerate(got)):
        return _("Your schedule is a staircase (decay_rate ** floor(k / decay_steps)): it must decay continuously, "
                 "decay_rate ** (k / decay_steps) (tf.train.exponential_decay's default, staircase=False).")
    if got[k] > 0 and initial > 0 and rate != 1:
        exponent = math.log(got[k] / initial) / math.log(rate)
        found = _("That is initial_learning_rate * decay_rate ** {exponent}, where the exponent should be "
                  "k / decay_steps = {k}/{steps} = {fraction}").format(exponent=fmt(exponent), k=k, steps=steps,
                                                                     fraction=fmt(k / steps))
        if abs(exponent * steps / k - 2) < 1e-3:
            return found + _(": your schedule advances by 2 steps per run of training_op (is the step incremented "
                             "twice?).")
        return found + _(".")
    return _("The schedule is initial_learning_rate * decay_rate ** (k / decay_steps) after k runs.")


def judge_rates(got: Values, want: Values) -> Verdict | None:
    for i, case in enumerate(CASES):
        mine, ref = _rates(got, i, case), _rates(want, i, case)
        if mine[0].size != 1:
            return Verdict(False, _("with {case}: learning_rate should be a scalar; yours has shape {shape}.")
                           .format(case=case.describe(), shape=mine[0].shape))
        mine = [float(m.ravel()[0]) for m in mine]
        for k, (g, w) in enumerate(zip(mine, ref)):
            if _close(g, w):
                continue
            if k == 0:
                return Verdict(False, _("with {case}: before any run of training_op, learning_rate should be "
                                        "initial_learning_rate = {expected}; yours is {got}.").format(
                    case=case.describe(), expected=fmt(float(w)), got=fmt(g)))
            formula = f"{case.initial_learning_rate} * {case.decay_rate} ** ({k}/{case.decay_steps})"
            return Verdict(False, ngettext(
                "with {case}: after {k} run of training_op, learning_rate should be {formula} = {expected}; yours is "
                "{got}.", "with {case}: after {k} runs of training_op, learning_rate should be {formula} = "
                "{expected}; yours is {got}.", k).format(case=case.describe(), k=k, formula=formula,
                                                         expected=fmt(float(w)), got=fmt(g))
                + " " + _rate_hint(case, mine, k))
    return None


def _trajectory(values: Values, i: int, case: Case, names: list[str]):
    """The student's own states v_0..v_runs, the gradients at v_0..v_runs-1, the learning rates."""
    states = [{n: np.asarray(values[f"s{i}.after:{k}:{n}"], dtype=np.float64) for n in names}
              for k in range(case.runs + 1)]
    grads = [{n: np.asarray(values[f"s{i}.grad:{k}:{n}"], dtype=np.float64) for n in names}
             for k in range(case.runs)]
    rates = [float(np.asarray(values[f"s{i}.lr:{k}"]).ravel()[0]) for k in range(case.runs + 1)]
    return states, grads, rates


def _steps_match(states, grads, momentum: float, rates: list[float]) -> bool:
    """Do the student's steps match Momentum steps (accum = momentum*accum + grad; var -= rate*accum),
    computed from the student's own gradients, with the learning rate rates[k] at step k+1?"""
    accum = {n: np.zeros_like(g) for n, g in grads[0].items()}
    for k, g in enumerate(grads):
        for n in g:
            accum[n] = momentum * accum[n] + g[n]
            step = states[k + 1][n] - states[k][n]
            if not np.allclose(step, -rates[k] * accum[n], rtol=1e-3, atol=1e-7):
                return False
    return True


def _step_hint(case: Case, states, grads, rates) -> str:
    m = case.momentum
    hypotheses = []
    if m != 0.9:
        hypotheses.append((0.9, rates, _("Your steps are those of momentum 0.9 (the book's value), not "
                                         "momentum={m}: pass the momentum argument on to tf.train.MomentumOptimizer.")
                           .format(m=m)))
    hypotheses += [
        (0.0, rates, _("Your steps are plain gradient descent steps (no momentum): use "
                       "tf.train.MomentumOptimizer(learning_rate, momentum=momentum).")),
        (m, [case.initial_learning_rate] * len(rates),
         _("Your optimizer steps with the constant initial_learning_rate: give the optimizer the decayed "
           "learning_rate tensor.")),
        (m, rates[1:] + rates[-1:],
         _("Your optimizer uses the learning rate of the next step (the schedule advances before the update): "
           "the update must use the current learning rate, and the step advance after it, as "
           "minimize(..., global_step=...) does.")),
    ]
    for momentum, used, hint in hypotheses:
        try:
            if _steps_match(states, grads, momentum, used):
                return hint
        except (ValueError, KeyError):
            continue
    return _("Each run of training_op must perform exactly one tf.train.MomentumOptimizer step (momentum={m}) on "
             "loss with the current learning rate.").format(m=m)


def judge_step(got: Values, want: Values) -> Verdict:
    verdict = judge_rates(got, want)
    if verdict is not None:
        return verdict
    for i, case in enumerate(CASES):
        names = sorted(k[len(f"s{i}.after:0:"):] for k in want if k.startswith(f"s{i}.after:0:"))
        for k in range(1, case.runs + 1):
            for name in names:
                key = f"s{i}.after:{k}:{name}"
                g, w = np.asarray(got[key]), np.asarray(want[key])
                diff = first_difference(g, w, *tolerance(w.dtype)) if g.shape == w.shape else ((), g, w)
                if diff is None:
                    continue
                index, gv, wv = diff
                before = np.asarray(want[f"s{i}.after:0:{name}"])[index]
                hint = _step_hint(case, *_trajectory(got, i, case, names))
                return Verdict(False, ngettext(
                    "with {case}: the learning rates are right, but after {k} run of training_op {where} is {got}, "
                    "expected {expected} (it started at {start}).",
                    "with {case}: the learning rates are right, but after {k} runs of training_op {where} is {got}, "
                    "expected {expected} (it started at {start}).", k).format(
                    case=case.describe(), k=k, where=f"{name}{list(index) if index else ''}", got=fmt(gv),
                    expected=fmt(wv), start=fmt(before)) + " " + hint)
    last = CASES[0]
    return Verdict(True, _(
        "The learning rate follows initial_learning_rate * decay_rate ** (k / decay_steps) after each of k runs "
        "(e.g. {value} after {runs} runs with {case}), and each run is one Momentum step with the current learning "
        "rate, for {n} settings.").format(value=fmt(last.expected(last.runs)), runs=last.runs, case=last.describe(),
                                          n=len(CASES)))


def judge_trained(got: Values, want: Values) -> Verdict:
    verdict = _accuracy(got, want)
    mine, ref = float(np.asarray(got["learning_rate"]).ravel()[0]), float(np.asarray(want["learning_rate"]))
    return Verdict(verdict.passed, verdict.message[:-len(_("."))] + _(
        "; learning rate reached: {mine} with yours, {ref} with the reference.").format(mine=fmt(mine), ref=fmt(ref)))


_accuracy = training_judge(2.0, N_("300-50-10 ReLU MLP, Momentum {momentum}, learning rate {initial} * {rate} ** "
                                   "(k / {steps})"), momentum=BOOK["momentum"], initial=BOOK["initial_learning_rate"],
                           rate=BOOK["decay_rate"], steps=BOOK["decay_steps"])

EXERCISE = Exercise.of(
    public,
    Check("step", N_("exponential decay of the learning rate, one Momentum step per run"), 1.5, judge_step),
    Check("trained", N_("trains the book's network with the schedule to the reference's accuracy"), 0.5,
          judge_trained, training=True),
)

"""Exercise `bn_update_ops`: bn_training_op(optimizer, loss) runs one optimizer step and every UPDATE_OPS op."""
from __future__ import annotations

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, training_judge, variable_changes
from .build import GRAPHS

UPDATE_HINT = N_("the moving mean and variance are updated by the ops in tf.GraphKeys.UPDATE_OPS: "
               "are they run with the training op (tf.control_dependencies or tf.group)?")


def _part(values: Values, prefix: str) -> Values:
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def judge_step(got: Values, want: Values) -> Verdict:
    problems, hints = [], set()
    for g, (what, *_rest) in enumerate(GRAPHS):
        before = _part(want, f"g{g}.before:")
        changes = variable_changes(_part(got, f"g{g}.after:"), _part(want, f"g{g}.after:"), before)
        for name, kind, _text in changes:
            if "moving_" in name and kind == "unchanged":
                hints.add(_(UPDATE_HINT))
            elif kind == "unchanged":
                hints.add(_("the weights did not move: does your op run optimizer.minimize(loss)?"))
        problems += [_("in {network}: {change}").format(network=_(what), change=text) for *_n, text in changes[:2]]
    if problems:
        return Verdict(False, _("After running your op with training=True: {problems}").format(
            problems=_("; ").join(problems[:4])) + (_(". Hint: ") + " ".join(sorted(hints)) if hints else _(".")))
    return Verdict(True, _("One run performs exactly one optimizer step and updates the moving mean and variance "
                           "of every batch-norm layer, in two networks with other scopes, momentums and optimizers."))


EXERCISE = Exercise.of(
    public,
    Check("step", N_("one run = one optimizer step + every batch-norm update op"), 1.5, judge_step),
    Check("trained", N_("trains the book's BN network to the reference's accuracy"), 0.5,
          training_judge(2.0, N_("300-100-10 batch-norm MLP evaluated with its moving statistics")),
          training=True),
)

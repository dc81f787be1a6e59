"""Exercise `bn_update_ops`: bn_training_op(optimizer, loss) runs one optimizer step and every UPDATE_OPS op."""
from __future__ import annotations

from . import selfcheck as public
from ..base import Check, Exercise, Values, Verdict, describe_variable_changes, training_judge
from .build import GRAPHS

UPDATE_HINT = ("the moving mean and variance are updated by the ops in tf.GraphKeys.UPDATE_OPS: "
               "are they run with the training op (tf.control_dependencies or tf.group)?")


def _part(values: Values, prefix: str) -> Values:
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def judge_step(got: Values, want: Values) -> Verdict:
    problems, hints = [], set()
    for g, (what, *_) in enumerate(GRAPHS):
        before = _part(want, f"g{g}.before:")
        changes = describe_variable_changes(_part(got, f"g{g}.after:"), _part(want, f"g{g}.after:"), before)
        for change in changes:
            if "moving_" in change and "did not change" in change:
                hints.add(UPDATE_HINT)
            elif "did not change" in change:
                hints.add("the weights did not move: does your op run optimizer.minimize(loss)?")
        problems += [f"in {what}: {c}" for c in changes[:2]]
    if problems:
        return Verdict(False, "After running your op with training=True: " + "; ".join(problems[:4])
                       + (". Hint: " + " ".join(sorted(hints)) if hints else "."))
    return Verdict(True, "One run performs exactly one optimizer step and updates the moving mean and variance "
                         "of every batch-norm layer, in two networks with other scopes, momentums and optimizers.")


EXERCISE = Exercise.of(
    public,
    Check("step", "one run = one optimizer step + every batch-norm update op", 1.5, judge_step),
    Check("trained", "trains the book's BN network to the reference's accuracy", 0.5,
          training_judge(2.0, "300-100-10 batch-norm MLP evaluated with its moving statistics"),
          training=True),
)

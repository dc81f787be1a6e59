"""Exercise `reuse_layers`: restore_reused_layers(sess, checkpoint_path, scope="hidden[123]") restores
exactly the global variables matching `scope` (as tf.get_collection matches) and returns them."""
from __future__ import annotations

import numpy as np

from . import selfcheck as public
from ...i18n import N_, _
from ..base import Check, Exercise, Values, Verdict, fmt, training_judge
from .build import CASES, describe as _describe


def judge_restore(got: Values, want: Values) -> Verdict:
    for i, (*_models, scope) in enumerate(CASES):
        prefix = f"r{i}.after:"
        for key in sorted(k for k in want if k.startswith(prefix)):
            name = key[len(prefix):]
            w, b = np.asarray(want[key]), np.asarray(want[f"r{i}.before:{name}"])
            g = np.asarray(got.get(key, b))
            if g.shape == w.shape and np.allclose(g, w, rtol=1e-6, atol=1e-7):
                continue
            should_restore = not np.allclose(w, b)
            if should_restore and np.allclose(g, b):
                return Verdict(False, _(
                    "with {case}: {name} still holds its initial value {initial}, but it matches the scope and must "
                    "be restored from the checkpoint ({saved}). Restore every global variable the scope matches, "
                    "trainable or not (tf.GraphKeys.GLOBAL_VARIABLES, as tf.get_collection(..., scope=scope) "
                    "matches: the scope is a regular expression matched from the start of each name, so "
                    "'hidden[123]' matches 'hidden2x/kernel' too).").format(
                    case=_describe(scope), name=name, initial=fmt(b), saved=fmt(w)))
            if not should_restore:
                return Verdict(False, _("with {case}: {name} does not match the scope, so it must keep its value "
                                        "{initial}; after your function it holds {got}.").format(
                    case=_describe(scope), name=name, initial=fmt(b), got=fmt(g)))
            return Verdict(False, _("with {case}: {name} holds {got}; expected the checkpoint's {saved}.").format(
                case=_describe(scope), name=name, got=fmt(g), saved=fmt(w)))
        mine, ref = [str(n) for n in got[f"r{i}.returned"]], [str(n) for n in want[f"r{i}.returned"]]
        if mine != ref:
            kind = str(got[f"r{i}.returned_type"])
            strings = bool(mine) and all(n.startswith("'") for n in mine)
            returned = f"{kind} {mine}" if mine else kind
            return Verdict(False, _("with {case}: your function returned {returned}; expected the list of restored "
                                    "variables {expected}").format(case=_describe(scope), returned=returned,
                                                                   expected=ref)
                           + (_(" (the tf.Variable objects themselves, not their names)") if strings else "") + _("."))
    return Verdict(True, _("Restores exactly the global variables the scope matches (batch-norm moving statistics "
                           "included), leaves the others untouched and returns them, for {n} cases (3 scopes, 3 "
                           "networks).").format(n=len(CASES)))


EXERCISE = Exercise.of(
    public,
    Check("restore", N_("restores exactly the variables the scope matches"), 1.5, judge_restore),
    Check("trained", N_("reusing the pretrained layers reaches the reference's accuracy"), 0.5,
          training_judge(2.0, N_("new model on the pretrained hidden1-3")), training=True),
)

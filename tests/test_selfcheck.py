"""The public self-checks (grader.check) on the variant corpus: every correct variant passes them,
the classic mistakes fail them with the book's concept in the message, stubs are 'not implemented'."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from grader import check, check_all  # noqa: E402
from grader.exercises import EXERCISES  # noqa: E402
from grader.selfcheck import public_checks  # noqa: E402

VARIANTS = Path(__file__).parent / "variants"


def _namespace(source: str) -> dict:
    import numpy as np
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    namespace = {"tf": tf, "np": np, "he_init": tf.variance_scaling_initializer(scale=2.0)}  # notebook 07's
    exec(compile(source, "<student>", "exec"), namespace)  # noqa: S102 - our own test corpus
    return namespace


@pytest.mark.parametrize("path", sorted(VARIANTS.glob("*/correct_*.py")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_correct_variants_pass_the_self_check(path):
    report = check(path.parent.name, _namespace(path.read_text()))
    assert report.status == "passed", report


@pytest.mark.parametrize("exercise,variant,message", [
    ("leaky_relu", "wrong_hardcoded_alpha", "alpha=0.2"),
    ("leaky_relu", "wrong_name_on_subop", "give `name` to the last op"),
    ("bn_update_ops", "wrong_forgets_update_ops", "tf.GraphKeys.UPDATE_OPS"),
    ("bn_update_ops", "wrong_returns_list", "return one op"),
    ("clipped_apply_gradients", "wrong_clip_by_norm", "tf.clip_by_value"),
    ("reuse_layers", "wrong_returns_nothing", "expected the list of restored variables"),
    ("freeze_layers", "wrong_trains_everything", "must stay frozen"),
    # The scope is matched from the start of each name (re.match), with the function's own argument.
    ("reuse_layers", "wrong_re_search", "matched from the START of each variable name"),
    ("reuse_layers", "wrong_hardcoded_scope", "use the function's `scope` argument"),
    ("reuse_layers", "wrong_restore_all", "not in the checkpoint"),
    ("freeze_layers", "wrong_re_search", "matched from the START of each variable name"),
    ("freeze_layers", "wrong_hardcoded_scope", "use the function's `train_scope` argument"),
])
def test_classic_mistakes_fail_the_self_check_with_a_hint(exercise, variant, message):
    report = check(exercise, _namespace((VARIANTS / exercise / f"{variant}.py").read_text()))
    assert report.status in ("failed", "error") and message in repr(report), report
    assert message.split("`")[0] in report._repr_html_().replace("&#x27;", "'")


def test_stubs_and_missing_functions_are_not_implemented():
    stub = "def leaky_relu(z, alpha=0.01, name=None):\n    raise NotImplementedError()\n"
    assert check("leaky_relu", _namespace(stub)).status == "not implemented"
    assert check("bn_update_ops", {}).status == "not implemented"
    assert check("no_such_exercise", {}).status == "error"


def test_check_all_checks_the_exercises_the_notebook_defines():
    source = (VARIANTS / "leaky_relu" / "correct_where.py").read_text()
    reports = check_all(_namespace(source))
    assert [r.exercise for r in reports] == ["leaky_relu"] and reports[0].passed
    assert "leaky_relu: passed" in repr(reports) and "<div" in reports._repr_html_()



def test_every_exercise_folder_has_a_public_self_check_and_they_agree():
    public = public_checks()
    assert list(public) == list(EXERCISES)  # same exercises, same (notebook) order
    for exercise, module in public.items():
        assert (module.FUNCTION, module.NOTEBOOK) == (EXERCISES[exercise].function, EXERCISES[exercise].notebook)
        assert module.SIGNATURE.startswith(module.FUNCTION + "(")

"""Each exercise's checks against the independent corpus in tests/variants/: every correct
variant gets full marks, every wrong one fails at least one test with a message that says what
differed. All variants are built in one builder run (the real sandboxed builder, real TensorFlow)
and measured by the real judge."""
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.builds import run_builds
from grader.checks import Outcome, judge_exercise, measure, task_id, tasks_for
from grader.config import GradeConfig
from grader.exercises import EXERCISES
from grader.sandbox import Sandbox

VARIANTS = Path(__file__).parent / "variants"
FILES = sorted(VARIANTS.glob("*/*.py"))
SETUP = ["import numpy as np", "import tensorflow.compat.v1 as tf",
         "he_init = tf.variance_scaling_initializer(scale=2.0)"]  # notebook 07's setup cell defines it


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def graded(reference, judge):
    programs, tasks = {}, []
    for path in FILES:
        programs[_key(path)] = SETUP + [path.read_text()]
        for task in tasks_for([path.parent.name], {path.parent.name: _key(path)}):
            task["id"] = f"{_key(path)}:{task['id']}"
            tasks.append(task)
    config = GradeConfig(out=Path(tempfile.mkdtemp()))

    def build(half: list[dict]) -> dict:  # one sandboxed builder per half, as --jobs 2 runs two submissions
        scratch = Path(tempfile.mkdtemp())
        sandbox = Sandbox(config.max_memory_mb, True, scratch)
        try:
            return run_builds(programs, half, scratch, 120, sandbox, provided=judge.provided)
        finally:
            sandbox.close()
    side = {key: i % 2 for i, key in enumerate(sorted(programs))}
    halves = [[t for t in tasks if side[t["program"]] == half] for half in (0, 1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = {k: v for half in pool.map(build, halves) for k, v in half.items()}
    # Unit checks for every variant; the (slow) training checks where they can change a verdict:
    # for correct variants, and for wrong ones whose unit checks all passed.
    unit = [t for t in tasks if not _training(t)]
    outcomes = measure(built, unit, judge, 120, workers=2)
    passed = {t["id"].split(":")[0] for t in unit}
    for t in unit:
        if outcomes[t["id"]].status != "ok" or not _unit_passes(t, outcomes[t["id"]], reference):
            passed.discard(t["id"].split(":")[0])
    trained = [t for t in tasks if _training(t) and (Path(t["id"].split(":")[0]).name.startswith("correct_")
                                                     or t["id"].split(":")[0] in passed)]
    outcomes.update(measure(built, trained, judge, 120, workers=2))
    skipped = [t for t in tasks if _training(t) and t["id"] not in outcomes]
    for t in skipped:  # the variant already fails a unit check: its verdict does not depend on training
        outcomes[t["id"]] = Outcome("error", SKIPPED)
    for path in FILES:  # trained models a notebook hands in: tests/trained_variants/ (test_trained.py)
        for check in EXERCISES[path.parent.name].checks:
            if check.handin:
                outcomes[f"{_key(path)}:{task_id(path.parent.name, check.key)}"] = Outcome("error", SKIPPED)
    results = {}
    for path in FILES:
        prefix = _key(path) + ":"
        mine = {tid[len(prefix):]: o for tid, o in outcomes.items() if tid.startswith(prefix)}
        results[_key(path)] = [r for r in judge_exercise(path.parent.name, mine, reference) if SKIPPED not in r.output]
    return results


SKIPPED = "not measured: the variant already fails a unit check"


def _training(task: dict) -> bool:
    return EXERCISES[task["exercise"]].check(task["check"]).training


def _unit_passes(task: dict, outcome, reference) -> bool:
    check = EXERCISES[task["exercise"]].check(task["check"])
    try:
        return check.judge(outcome.values, reference[task_id(task["exercise"], task["check"])].values).passed
    except Exception:  # noqa: BLE001 - values of an unexpected form: not a pass
        return False


def test_the_corpus_covers_every_exercise():
    for exercise in EXERCISES:
        names = [p.stem for p in FILES if p.parent.name == exercise]
        assert sum(n.startswith("correct_") for n in names) >= 3, exercise
        assert sum(n.startswith("wrong_") for n in names) >= 4, exercise


@pytest.mark.parametrize("path", [p for p in FILES if p.stem.startswith("correct_")], ids=_key)
def test_correct_variant_gets_full_marks(graded, path):
    results = graded[_key(path)]
    failed = [f"{r.name}: {r.output}" for r in results if not r.passed]
    assert not failed, failed
    assert sum(r.score for r in results) == sum(c.points for c in EXERCISES[path.parent.name].checks
                                                if not c.handin)  # trained models: tests/test_trained.py


@pytest.mark.parametrize("path", [p for p in FILES if p.stem.startswith("wrong_")], ids=_key)
def test_wrong_variant_loses_marks_with_a_reason(graded, path):
    results = graded[_key(path)]
    failed = [r for r in results if not r.passed]
    assert failed, f"{_key(path)} passed every test"
    for r in failed:
        assert r.score == 0 and len(r.output) > 30, r.output
        assert "Not implemented" not in r.output and "could not finish" not in r.output, r.output


# The messages of the classic mistakes name the concept (what the student must fix).
MESSAGES = {
    "bn_update_ops/wrong_forgets_update_ops": "tf.GraphKeys.UPDATE_OPS",
    "clipped_apply_gradients/wrong_clip_by_norm": "tf.clip_by_value",
    "reuse_layers/wrong_trainable_only": "GLOBAL_VARIABLES",
    "reuse_layers/wrong_restore_all": "checkpoint",
    "freeze_layers/wrong_trains_everything": "must stay frozen",
    "leaky_relu/wrong_hardcoded_alpha": "alpha=0.2",
    "leaky_relu/wrong_name_on_subop": "expected 'my_activation'",
    "leaky_relu/wrong_cast_float32": "expected float64",
    "lr_schedule/wrong_staircase": "staircase",
    "lr_schedule/wrong_minimize_without_global_step": "global_step",
    "lr_schedule/wrong_literal_momentum": "momentum 0.9",
    "dropout/wrong_keep_prob_for_rate": "1 - rate",
    "max_norm/wrong_axes_swapped": "axes",
    "regularization_losses/wrong_ignores_regularization": "REGULARIZATION_LOSSES",
}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_classic_mistakes_are_explained(graded, key):
    outputs = " ".join(r.output for r in graded[key] if not r.passed)
    assert MESSAGES[key] in outputs, outputs

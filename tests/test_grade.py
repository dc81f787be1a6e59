"""`grader grade` end to end: real notebooks, real kernels, one batch with good, broken and
hanging submissions side by side (so each case also shows that the others are unaffected)."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.exercises import EXERCISES

TOTAL = sum(e.points for e in EXERCISES.values())  # derived from the exercise folders
from submissions import FUNCTION_POINTS, fill, variant

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]
TIMEOUT = 25  # seconds per cell; the hanging submission costs this much


def _broken_submissions(folder: Path) -> None:
    folder.mkdir()
    (folder / "not_json.ipynb").write_text("this is not a notebook")
    (folder / "empty.ipynb").write_text("")
    (folder / "garbage.ipynb").write_bytes(bytes(range(256)) * 8)
    (folder / "json_not_notebook.ipynb").write_text(json.dumps({"cells": "nope"}))
    (folder / "invalid_notebook.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5,
                                                               "metadata": {}, "cells": "nope"}))
    (folder / "no_notebooks").mkdir()
    (folder / "no_notebooks" / "notes.txt").write_text("I forgot to attach it")
    # Raises in a cell of its own before the exercise: the exercise never ran.
    nb = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "correct_book_maximum")})
    nb.cells.insert(2, nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(nb, str(folder / "raises_early.ipynb"))
    # Hangs after the exercise's cell: the exercise is graded, the hang is reported.
    nb = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "correct_where")})
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(nb, str(folder / "hangs.ipynb"))
    # Habits of real students: a long non-ASCII file name (the kernel's socket path once grew past
    # the 107-byte limit), a `%%time` cell magic over the solution, a shell escape.
    nb = fill("01_leaky_relu", {"leaky_relu": "%%time\n!echo defining leaky_relu\n"
                                              + variant("leaky_relu", "correct_book_maximum")})
    nbformat.write(nb, str(folder / f"{HABITS}.ipynb"))


HABITS = "张伟_第一次作业_带泄露线性整流函数_最终版本_第二次修改_请老师查收"


def grade_batch(root: Path, work: Path):
    """The batch of this module's tests (the `batch` fixture of conftest.py: graded once a session,
    test_cluster.py compares a cluster's results of the examples with it)."""
    _broken_submissions(work / "broken")
    shutil.copytree(root / "assignments", work / "assignments")
    paths = [root / "reference", work / "assignments", *sorted((work / "broken").iterdir()),
             *sorted((root / "examples" / "submissions").iterdir())]
    out = work / "out"
    run = subprocess.run([*GRADER, "grade", *map(str, paths), "--out", str(out), "--jobs", "2",
                          "--timeout", str(TIMEOUT)], capture_output=True, text=True, timeout=1200)
    return run, out


def _results(out: Path, name: str) -> dict:
    return json.loads((out / name / "results.json").read_text())


def _by_exercise(results: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for test in results["tests"]:
        exercise = test["extra_data"]["exercise"]
        scores[exercise] = scores.get(exercise, 0) + test["score"]
    return scores


def _outputs(results: dict, exercise: str) -> str:
    return " ".join(t["output"] for t in results["tests"] if t["extra_data"]["exercise"] == exercise)


def test_every_submission_gets_a_result_and_the_run_succeeds(batch):
    run, out = batch
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    names = {p.name for p in out.iterdir() if (p / "results.json").exists()}
    assert {"reference", "assignments", "not_json", "empty", "garbage", "json_not_notebook", "invalid_notebook", "no_notebooks",
            "raises_early", "hangs", "alice_correct", "dave_leaky_relu"} <= names


def test_results_follow_the_gradescope_schema(batch):
    _, out = batch
    results = _results(out, "alice_correct")
    assert set(results) == {"score", "execution_time", "output", "tests", "extra_data"}
    assert results["extra_data"]["path"].endswith("alice_correct")
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility", "extra_data"}
        assert test["status"] in ("passed", "failed") and test["name"].startswith(test["extra_data"]["exercise"])
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_reference_gets_full_marks_on_every_exercise(batch):
    results = _results(batch[1], "reference")
    assert set(_by_exercise(results)) == set(EXERCISES)
    assert all(t["status"] == "passed" for t in results["tests"]), results["output"]
    assert results["score"] == TOTAL


def test_templates_get_zero_and_say_not_implemented(batch):
    results = _results(batch[1], "assignments")
    assert results["score"] == 0
    for test in results["tests"]:  # a trained model's check: the training cell's stub raised, nothing handed in
        assert test["output"].startswith(("Not implemented", "Not graded: no model was handed in")), test


@pytest.mark.parametrize("name,reason", [
    ("not_json", "not a notebook"), ("empty", "empty"), ("garbage", "not a notebook"),
    ("json_not_notebook", "not a Jupyter notebook"), ("invalid_notebook", "not a valid notebook"),
    ("no_notebooks", "no notebooks"),
])
def test_unreadable_submissions_get_zero_and_the_reason(batch, name, reason):
    results = _results(batch[1], name)
    assert results["score"] == 0
    assert reason in results["output"], results["output"]
    assert {t["extra_data"]["exercise"] for t in results["tests"]} == set(EXERCISES)
    assert all(reason in t["output"] for t in results["tests"]), results["tests"][0]["output"]


def test_a_notebook_that_raises_before_the_exercise_gets_zero_and_the_error(batch):
    results = _results(batch[1], "raises_early")
    assert results["score"] == 0
    assert "RuntimeError: boom" in results["output"]
    assert "stopped before the cell of exercise `leaky_relu` ran" in _outputs(results, "leaky_relu")


def test_a_hanging_notebook_is_stopped_and_what_ran_is_graded(batch):
    results = _results(batch[1], "hangs")
    assert f"ran longer than {TIMEOUT} s" in results["output"], results["output"]
    assert _by_exercise(results)["leaky_relu"] == EXERCISES["leaky_relu"].points


def test_examples_lose_marks_exactly_for_their_mistakes(batch):
    out = batch[1]
    assert _results(out, "alice_correct")["score"] == FUNCTION_POINTS  # the examples hold notebooks 01-06
    bob = _results(out, "bob_update_ops_and_clip_by_norm")
    assert _by_exercise(bob)["bn_update_ops"] == 0 and "UPDATE_OPS" in _outputs(bob, "bn_update_ops")
    assert _by_exercise(bob)["clipped_apply_gradients"] < 2 and "clip_by_value" in _outputs(
        bob, "clipped_apply_gradients")
    assert _by_exercise(bob)["leaky_relu"] == 2 and _by_exercise(bob)["freeze_layers"] == 2
    carol = _results(out, "carol_restore_all_train_all")
    assert _by_exercise(carol)["reuse_layers"] == 0 and "checkpoint" in _outputs(carol, "reuse_layers")
    assert _by_exercise(carol)["freeze_layers"] < 2 and "frozen" in _outputs(carol, "freeze_layers")
    dave = _results(out, "dave_leaky_relu")
    assert _by_exercise(dave)["leaky_relu"] < 2 and "alpha=" in _outputs(dave, "leaky_relu")
    assert "the cell of exercise `bn_update_ops` (the template's cell under the heading" in _outputs(dave, "bn_update_ops")


def test_long_unicode_names_cell_magics_and_shell_escapes_grade_normally(batch):
    results = _results(batch[1], HABITS)
    assert _by_exercise(results)["leaky_relu"] == EXERCISES["leaky_relu"].points, results["output"]
    assert "internal grader error" not in results["output"]


def test_every_graded_submission_gets_a_feedback_page(batch):
    _, out = batch
    for name in ("reference", "alice_correct", "bob_update_ops_and_clip_by_norm", "not_json"):
        page = (out / name / "feedback.html").read_text()
        assert "Score:" in page and all(exercise in page for exercise in EXERCISES), name


def test_grades_csv_has_one_row_per_submission_and_a_total(batch):
    _, out = batch
    with open(out / "grades.csv", newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    assert len(rows) == len([p for p in out.iterdir() if p.is_dir()])
    assert list(next(iter(rows.values()))) == ["submission", *EXERCISES, "total", "max", "path", "student_id",
                                               "student_name", "email", "overrides", "note"]
    assert float(rows["reference"]["total"]) == TOTAL and float(rows["assignments"]["total"]) == 0
    assert float(rows["bob_update_ops_and_clip_by_norm"]["bn_update_ops"]) == 0

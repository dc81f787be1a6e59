"""Instructor overrides (--overrides FILE.csv): a score set by hand, with a comment, shown as such.

Each line names a submission (its result folder, as grades.csv's `submission` column, or the student's
id), an exercise (`leaky_relu`: the exercise's points, spread over its tests in proportion to their
points) or one test (`leaky_relu: names the returned op name`, as results.json names it, or the test's
name alone when no other exercise has it), the points, and a comment. They are applied when the run
reports (grade_batch, after grading): every result in --out is brought in line with the file, from the
grader's own scores, so a line removed from the file restores the grader's score. Each output shows
the grader's score, the override and the comment (TestResult.override_text).
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .csvrows import csv_rows
from .exercises import EXERCISES
from .results import SubmissionResult, TestResult

MAX_OVERRIDES_BYTES = 4 * 1024 ** 2
_HEADERS = {"submission": ("submission", "student", "studentid", "id", "name"),
            "test": ("test", "exercise", "check", "testname"),
            "points": ("points", "score", "newscore", "grade"),
            "comment": ("comment", "comments", "reason", "note")}


class OverridesError(ValueError):
    """An overrides file that cannot be applied: the one-line message says why."""


@dataclass(frozen=True)
class Override:
    submission: str
    exercise: str
    test: str | None      # None: the whole exercise
    points: float
    comment: str
    line: int


def _key(header: str) -> str:
    return re.sub(r"[\s_.\-]+", "", header.strip().lstrip("\ufeff")).casefold()


def _names(check) -> set[str]:
    """A test's name in every language (results.json names it in the language it was graded in)."""
    from .i18n import LANGUAGES, translate
    return {check.name} | {" ".join(translate(check.name, lang).split()) for lang in LANGUAGES}


def _target(text: str, where: str) -> tuple[str, str | None, float]:
    """(exercise, test name or None, the most points it can have) of an exercise or test name."""
    text = " ".join(text.split())
    if text in EXERCISES:
        return text, None, sum(c.points for c in EXERCISES[text].checks)
    exercise, _, name = text.partition(": ")
    if exercise in EXERCISES:
        for check in EXERCISES[exercise].checks:
            if name in _names(check):
                return exercise, check.name, check.points
    found = [(e, c) for e, ex in EXERCISES.items() for c in ex.checks if text in _names(c)]
    if len(found) == 1:
        return found[0][0], found[0][1].name, found[0][1].points
    if len(found) > 1:
        raise OverridesError(f"{where}: the test {text!r} is in {len(found)} exercises; write it as "
                             f"'<exercise>: {text}'")
    raise OverridesError(f"{where}: no exercise or test is called {text!r} (an exercise is one of "
                         f"{', '.join(EXERCISES)}; a test is named as in results.json)")


def read_overrides(path: Path) -> list[Override]:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_OVERRIDES_BYTES + 1)
    except OSError as error:
        raise OverridesError(f"cannot read --overrides {path}: {error.strerror or error}") from None
    if len(raw) > MAX_OVERRIDES_BYTES:
        raise OverridesError(f"--overrides {path} is over {MAX_OVERRIDES_BYTES // 2 ** 20} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OverridesError(f"--overrides {path} is not UTF-8 text") from None
    try:
        rows = csv_rows(text)
    except csv.Error as error:
        raise OverridesError(f"--overrides {path} is not a CSV file ({error})") from None
    if not rows:
        raise OverridesError(f"--overrides {path} is empty")
    keys = [_key(h) for h in rows[0][1]]
    at = {}
    for column, spellings in _HEADERS.items():
        at[column] = next((keys.index(s) for s in spellings if s in keys), None)
    absent = [c for c in ("submission", "test", "points") if at[c] is None]
    if absent:
        raise OverridesError(f"--overrides {path} has no {', '.join(absent)} column (its header must name "
                             "submission, test (or exercise), points and comment)")
    overrides, seen = [], {}
    for line, row in rows[1:]:
        where = f"--overrides {path} line {line}"
        cell = lambda c: row[at[c]].strip() if at[c] is not None and at[c] < len(row) else ""  # noqa: E731
        if not cell("submission"):
            raise OverridesError(f"{where}: no submission")
        exercise, test, most = _target(cell("test"), where)
        try:
            points = float(cell("points"))
        except ValueError:
            raise OverridesError(f"{where}: the points {cell('points')!r} are not a number") from None
        if not math.isfinite(points) or not 0 <= points <= most:
            raise OverridesError(f"{where}: {points:g} points is outside 0 to {most:g}, the points of "
                                 f"{exercise if test is None else f'{exercise}: {test}'}")
        key = (cell("submission"), exercise, test)
        if key in seen:
            raise OverridesError(f"{where}: the same override as line {seen[key]}")
        seen[key] = line
        overrides.append(Override(cell("submission"), exercise, test, points, cell("comment"), line))
    return overrides


def check_known(overrides: list[Override], known: set[str], path: Path) -> None:
    """Every override must name a submission of --out or of this run (by folder name or student id)."""
    for override in overrides:
        if override.submission not in known:
            raise OverridesError(f"--overrides {path} line {override.line}: no submission or student "
                                 f"{override.submission!r} in this run or in --out")


def known_names(out: Path) -> set[str]:
    """The result folders in `out` and their students' ids."""
    names: set[str] = set()
    try:
        folders = [f for f in out.iterdir() if f.is_dir() and not f.is_symlink()]
    except OSError:
        return names
    for folder in folders:
        try:
            data = json.loads((folder / "results.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            continue
        names.add(folder.name)
        student = data.get("extra_data", {}).get("student") if isinstance(data, dict) else None
        if isinstance(student, dict) and isinstance(student.get("id"), str) and student["id"]:
            names.add(student["id"])
    return names


def _state(tests: list[TestResult]) -> list[tuple]:
    return [(t.score, t.original_score, t.comment) for t in tests]


def apply(result: SubmissionResult, overrides: list[Override]) -> bool:
    """Bring `result` in line with `overrides` (from the grader's own scores); whether it changed."""
    before = _state(result.tests)
    for test in result.tests:
        if test.overridden:
            test.score, test.original_score, test.comment = test.original_score, None, ""
    ids = {result.name} | ({result.student["id"]} if isinstance(result.student.get("id"), str) else set())
    for override in overrides:
        if override.submission not in ids:
            continue
        tests = [t for t in result.tests if t.exercise == override.exercise
                 and (override.test is None or t.name == override.test)]
        total = sum(t.max_score for t in tests)
        for test in tests:
            if test.original_score is None:  # a test and its exercise both overridden: the grader's score
                test.original_score = test.score
            test.score = round(override.points * test.max_score / total, 4) if total else 0.0
            test.comment = override.comment
    return _state(result.tests) != before


def rerender_feedback(result: SubmissionResult, folder: Path) -> None:
    """Write the feedback page again from the executed notebooks the run left in the result folder."""
    import nbformat

    from . import notebooks
    from .feedback import write_feedback_html

    pages = []
    for path in sorted(folder.glob("*.executed.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        exercises = {e: cells for e, cells in notebooks.solution_cells(nb).items() if e in EXERCISES}
        pages.append((path.name.removesuffix(".executed.ipynb") + ".ipynb", nb, exercises))
    write_feedback_html(result, pages, folder / "feedback.html")


def apply_to_out(out: Path, overrides: list[Override]) -> list[str]:
    """Apply the overrides to every result in `out`: rewrite the results.json and feedback.html of
    those that change; returns their names."""
    from .report import read_results, write_results_json

    changed = []
    results, _ = read_results(out)
    for result in results:
        if apply(result, overrides):
            write_results_json(result, out)
            if (out / result.name / "feedback.html").exists():
                try:
                    rerender_feedback(result, out / result.name)
                except Exception as error:  # noqa: BLE001 - a courtesy, as when grading; results.json is written
                    print(f"note: the feedback page of {result.name} could not be written again: {error}")
            changed.append(result.name)
    return changed

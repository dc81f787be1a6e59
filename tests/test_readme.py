"""The README stays true to the exercise folders: its tables list every exercise and every check with
its points, and the points total it states is the one the folders add up to."""
import re
from pathlib import Path

from grader.exercises import EXERCISES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(title, 1)[1].split("\n## ", 1)[0]


def test_the_assignments_table_lists_every_exercise_with_its_notebook_and_signature():
    from grader.selfcheck import public_checks
    table = _section("## What the assignments teach")
    for exercise, module in public_checks().items():
        row = next((line for line in table.splitlines() if f"| `{exercise}` |" in line), None)
        assert row, f"{exercise} is missing from *What the assignments teach*"
        assert f"`{module.NOTEBOOK}`" in row and module.SIGNATURE.replace("|", "\\|") in row, row


def test_the_checks_table_lists_every_check_with_its_points_and_the_total():
    total = sum(e.points for e in EXERCISES.values())
    heading = re.search(r"### The checks and their points \(([\d.]+) in all\)", README)
    assert heading and float(heading.group(1)) == total
    rows = [line for line in README.splitlines() if line.startswith("| `")]
    for exercise in EXERCISES.values():
        for check in exercise.checks:
            row = f"| `{exercise.id}` | {check.name} | {check.points:g}"
            assert any(line.startswith(row) or line.startswith(f"| `{exercise.id}` | {check.name} | {check.points:.1f}")
                       for line in rows), f"no row for {exercise.id}: {check.name} ({check.points:g})"

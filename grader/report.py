"""Writers of the one results model: results.json (Gradescope schema), grades.csv, the terminal table."""
from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .exercises import EXERCISES
from .results import SubmissionResult


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for the course to read
    os.replace(tmp, path)


def write_results_json(result: SubmissionResult, out: Path) -> Path:
    path = out / result.name / "results.json"
    write_atomic(path, json.dumps(result.to_gradescope(), indent=2, ensure_ascii=False) + "\n")
    return path


def grades_row(result: SubmissionResult) -> dict[str, str]:
    scores = result.exercise_scores()
    row = {"submission": result.name}
    row.update({e: f"{scores.get(e, 0.0):g}" for e in EXERCISES})
    row["total"] = f"{result.score:g}"
    row["max"] = f"{result.max_score:g}"
    return row


def write_grades_csv(results: list[SubmissionResult], out: Path) -> Path:
    """One row per submission; rows of submissions not graded in this run are kept."""
    path = out / "grades.csv"
    columns = ["submission", *EXERCISES, "total", "max"]
    rows: dict[str, dict] = {}
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            rows = {r["submission"]: r for r in csv.DictReader(f) if r.get("submission")}
    rows.update({r.name: grades_row(r) for r in results})
    lines = [columns] + [[rows[name].get(c, "") for c in columns] for name in sorted(rows)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    write_atomic(path, buffer.getvalue())
    return path


def print_table(results: list[SubmissionResult], console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title="Grades", show_lines=False)
    table.add_column("submission")
    for exercise in EXERCISES:
        table.add_column(exercise, justify="right")
    table.add_column("total", justify="right")
    table.add_column("time", justify="right")
    for r in results:
        scores = r.exercise_scores()
        cells = [f"{scores.get(e, 0):g}/{EXERCISES[e].points:g}" for e in EXERCISES]
        table.add_row(r.name, *cells, f"{r.score:g}/{r.max_score:g}", f"{r.execution_time:.0f}s")
    console.print(table)
    slowest = sorted(results, key=lambda r: -r.execution_time)[:3]
    if len(results) > 1:
        console.print("slowest: " + ", ".join(f"{r.name} ({r.execution_time:.0f}s)" for r in slowest),
                      highlight=False)
    for r in results:
        for problem in r.problems:
            console.print(f"[yellow]{r.name}[/yellow]: {problem}", highlight=False)

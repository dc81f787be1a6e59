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
from rich.markup import escape
from rich import box
from rich.table import Table

from .exercises import EXERCISES
from .results import SubmissionResult


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file, and a
    failed write (a full or read-only disk) leaves neither half a file nor the temporary one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a lone surrogate (from a file name) becomes "?"
    data = text if isinstance(text, bytes) else text.encode("utf-8", errors="replace")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for the course to read
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_results_json(result: SubmissionResult, out: Path) -> Path:
    path = out / result.name / "results.json"
    write_atomic(path, json.dumps(result.to_gradescope(), indent=2, ensure_ascii=False) + "\n")
    return path


def read_results(out: Path) -> tuple[list[SubmissionResult], list[str]]:
    """Every results.json in `out` (one per result folder), sorted by folder; and the folders whose
    results.json cannot be read back."""
    results, unreadable = [], []
    try:
        folders = sorted(entry for entry in out.iterdir() if entry.is_dir() and not entry.is_symlink())
    except OSError:
        return results, unreadable
    for folder in folders:
        path = folder / "results.json"
        if not path.is_file():
            continue  # a submission being graded, or cut short by a kill: no result yet
        try:
            results.append(SubmissionResult.from_gradescope(folder.name, json.loads(path.read_bytes())))
        except (OSError, ValueError, TypeError, RecursionError):
            unreadable.append(folder.name)
    return results, unreadable


# New columns go last: the older columns keep their places. The student's columns come from an LMS
# download or the roster; `overrides` shows each instructor override as such; `note` says why a row
# lost points outside the tests (no submission, a notebook that could not be read, ...).
GRADES_COLUMNS = ["submission", *EXERCISES, "total", "max", "path", "student_id", "student_name", "email",
                  "overrides", "note"]


def _inert(text: str) -> str:
    """A cell a spreadsheet shows as text: names and paths are the students' (a leading = + - @
    would make a formula)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def grades_row(result: SubmissionResult) -> dict[str, str]:
    scores = result.exercise_scores()
    row = {"submission": _inert(result.name), "path": _inert(str(result.path))}
    row.update({e: f"{scores.get(e, 0.0):g}" for e in EXERCISES})
    row["total"] = f"{result.score:g}"
    row["max"] = f"{result.max_score:g}"
    student = {k: v if isinstance(v, str) else "" for k, v in result.student.items()}
    row["student_id"] = _inert(student.get("id", ""))
    row["student_name"] = _inert(student.get("name", ""))
    row["email"] = _inert(student.get("email", ""))
    row["overrides"] = _inert("; ".join(f"{t.exercise}: {t.name}: {t.override_text()}"
                                        for t in result.tests if t.overridden))
    note = " ".join(result.problems)
    row["note"] = _inert(note if len(note) <= 300 else note[:299] + "…")
    return row


def write_grades_csv(out: Path) -> tuple[Path, list[str]]:
    """grades.csv rebuilt from every results.json in `out`: one row per graded submission, whichever
    run graded it (a run that was killed loses no row). Returns it and the unreadable result folders."""
    results, unreadable = read_results(out)
    lines = [GRADES_COLUMNS] + [[grades_row(r)[c] for c in GRADES_COLUMNS] for r in results]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    path = out / "grades.csv"
    write_atomic(path, buffer.getvalue())
    return path, unreadable


def print_table(results: list[SubmissionResult], console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    # One column per exercise name fits only a wide terminal; narrower (80 columns), the exercises are
    # numbered, a legend follows and the scores lose their "/max": nothing is cut, long names wrap.
    wide = 1 + sum(len(e) + 3 for e in EXERCISES) + max([len(r.name) for r in results] + [10]) + 3 + 9 + 7
    compact = console.width < wide
    table = Table(title="Grades", show_lines=False, box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD)
    table.add_column("submission", overflow="fold")
    for number, exercise in enumerate(EXERCISES, 1):
        table.add_column(str(number) if compact else exercise, justify="right", no_wrap=True)
    table.add_column("total", justify="right")
    table.add_column("time", justify="right")
    for r in results:
        scores = r.exercise_scores()
        overridden = {t.exercise for t in r.tests if t.overridden}  # marked *, listed below the table
        cells = [f"{scores.get(e, 0):g}" + ("" if compact else f"/{EXERCISES[e].points:g}")
                 + ("*" if e in overridden else "")
                 for e in EXERCISES]
        table.add_row(escape(r.name), *cells, f"{r.score:g}/{r.max_score:g}", f"{r.execution_time:.0f}s")
    console.print(table)
    if compact:
        legend = (f"{n}={e}/{x.points:g}" for n, (e, x) in enumerate(EXERCISES.items(), 1))  # each unbroken
        console.print("exercises: " + " ".join(legend), highlight=False)
    slowest = sorted(results, key=lambda r: -r.execution_time)[:3]
    if len(results) > 1:
        console.print("slowest: " + ", ".join(f"{escape(r.name)} ({r.execution_time:.0f}s)" for r in slowest),
                      highlight=False)
    for r in results:
        for problem in r.problems:
            console.print(f"[yellow]{escape(r.name)}[/yellow]: {escape(problem)}", highlight=False)
    for r in results:
        for t in r.tests:
            if t.overridden:
                console.print(f"* {escape(r.name)}: {escape(t.exercise)}: {escape(t.name)}: "
                              f"{escape(t.override_text())}", highlight=False)

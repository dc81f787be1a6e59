"""Writer of the one results model as Markdown for a CI job page (GitHub's step summary)."""
from __future__ import annotations

import html
import re
from pathlib import Path

from .exercises import EXERCISES
from .report import write_atomic
from .results import SubmissionResult

_OUTPUT_CHARS = 300  # a job page shows a hint; the full output is in results.json
_TOTAL = sum(exercise.points for exercise in EXERCISES.values())
_MARKUP = re.compile(r"([\\`*_\[\]#~|])")  # what could turn a student's text into markup, or end a cell


def _inline(text: str) -> str:
    """Text shown as it is, inside one table cell or list item: no markup, no HTML, no line or cell breaks."""
    text = html.escape(_MARKUP.sub(r"\\\1", text), quote=False)
    return "<br>".join(line.strip() for line in text.strip().splitlines())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _OUTPUT_CHARS else text[:_OUTPUT_CHARS - 1] + "…"


def _row(result: SubmissionResult) -> list[str]:
    scores = result.exercise_scores()
    cells = [f"{scores.get(e, 0.0):g}/{exercise.points:g}" for e, exercise in EXERCISES.items()]
    return [_inline(result.name), *cells, f"**{result.score:g}/{_TOTAL:g}**"]


def _failures(result: SubmissionResult) -> list[str]:
    lines = [f"- {_inline(_short(problem))}" for problem in result.problems]
    lines += [f"- **{_inline(t.exercise)}**: {_inline(t.name)} — {_inline(_short(t.output or 'failed'))}"
              for t in result.tests if not t.passed]
    return [f"### {_inline(result.name)}", "", *lines, ""] if lines else []


def summary_markdown(results: list[SubmissionResult]) -> str:
    header = ["submission", *EXERCISES, "total"]
    lines = ["## Grades", "",
             "| " + " | ".join(header) + " |",
             "|" + "---|" + "--:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(_row(r)) + " |" for r in results]
    lines.append("")
    failures = [line for r in results for line in _failures(r)]
    if failures:
        lines += ["## What lost points", "", *failures]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_summary_md(results: list[SubmissionResult], path: Path) -> Path:
    """A table (submission, score/max per exercise, total), then each submission's failed tests."""
    write_atomic(path, summary_markdown(results))
    return path

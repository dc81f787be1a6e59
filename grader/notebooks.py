"""Where the course's notebooks live, and what we read from their nbgrader metadata."""
from __future__ import annotations

from pathlib import Path

import nbformat

_PACKAGE = Path(__file__).resolve().parent


def _course_dir(kind: str) -> Path:
    # Inside an installed wheel the notebooks ship as package data; in a checkout they sit beside grader/.
    for candidate in (_PACKAGE / "_notebooks" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise FileNotFoundError(f"cannot find the course's {kind}/ notebooks next to {_PACKAGE}")


def reference_dir() -> Path:
    return _course_dir("reference")


def assignments_dir() -> Path:
    return _course_dir("assignments")


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return nbgrader(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(nbgrader(cell).get("solution")) and cell.get("cell_type") == "code"


def is_locked(cell) -> bool:
    return bool(nbgrader(cell).get("locked"))


def solution_cells(nb) -> dict[str, list[int]]:
    """grade_id -> indices of the solution cells carrying it (more than one means duplicated)."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        if is_solution(cell) and grade_id(cell):
            found.setdefault(grade_id(cell), []).append(index)
    return found


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def code_sources(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]

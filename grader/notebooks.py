"""Where the course's notebooks live, and what we read from their nbgrader metadata."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat

_PACKAGE = Path(__file__).resolve().parent


COURSE_ENV = "CH11_COURSE_DIR"  # a folder holding reference/ and assignments/ (an installed grader has no reference)


def _course_dir(kind: str) -> Path:
    # In a checkout the notebooks sit beside grader/; an installed wheel ships the templates only.
    candidates = [Path(os.environ[COURSE_ENV]) / kind] if os.environ.get(COURSE_ENV) else []
    candidates += [_PACKAGE.parent / kind, _PACKAGE / "_notebooks" / kind]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise FileNotFoundError(f"cannot find the course's {kind}/ notebooks: install the grader from a checkout "
                            f"(pip install -e .) or set {COURSE_ENV} to a folder holding {kind}/")


def reference_dir() -> Path:
    return _course_dir("reference")


def assignments_dir() -> Path:
    return _course_dir("assignments")


def _metadata(cell) -> dict:
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def nbgrader(cell) -> dict:
    """The cell's nbgrader metadata; {} when it has none or it is not an object (see metadata_problems)."""
    value = _metadata(cell).get("nbgrader")
    return value if isinstance(value, dict) else {}


def grade_id(cell) -> str | None:
    value = nbgrader(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_solution(cell) -> bool:
    return nbgrader(cell).get("solution") is True and cell.get("cell_type") == "code"


def is_locked(cell) -> bool:
    return nbgrader(cell).get("locked") is True


def tags(cell) -> list[str]:
    value = _metadata(cell).get("tags")
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _kind(value) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (str, "a string"), ((int, float), "a number"), (list, "a list"),
                       (dict, "a dict")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# What the grader reads from a cell's nbgrader metadata, and the JSON type each must have.
_NBGRADER_FIELDS = {"grade_id": str, "solution": bool, "locked": bool}


def repair_cell_metadata(cell: dict, number: int) -> list[str]:
    """Drop what the grader cannot read in one raw (JSON) cell's metadata, in place; say what, for
    the student. `number` is the cell's 1-based position. The grader then treats the cell as if the
    malformed part were absent: it never fails on it."""
    notes = []
    if not isinstance(cell, dict):
        return notes
    what = f"cell {number}'s"
    if "metadata" in cell and not isinstance(cell["metadata"], dict):
        notes.append(f"{what} metadata is malformed (it is {_kind(cell['metadata'])}, not a dict); it is ignored")
        cell["metadata"] = {}
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict):
        return notes
    if "tags" in metadata and not (isinstance(metadata["tags"], list)
                                   and all(isinstance(t, str) for t in metadata["tags"])):
        kind = _kind(metadata["tags"])
        notes.append(f"{what} tags are malformed ({'a list with non-string items' if kind == 'a list' else kind}, "
                     "not a list of strings); they are ignored")
        del metadata["tags"]
    if "nbgrader" in metadata:
        value = metadata["nbgrader"]
        if not isinstance(value, dict):
            notes.append(f"{what} nbgrader metadata is malformed (it is {_kind(value)}, not a dict); it is ignored")
            del metadata["nbgrader"]
        else:
            for key, kind in _NBGRADER_FIELDS.items():
                if key in value and not isinstance(value[key], kind):
                    notes.append(f"{what} nbgrader metadata is malformed ({key} is {_kind(value[key])}); "
                                 "it is ignored")
                    del value[key]
    return notes


def raw_cells(data: dict) -> list:
    """The cells of a notebook's raw JSON, nbformat 4 (cells) or 3 (worksheets), in order."""
    if isinstance(data.get("cells"), list):
        return data["cells"]
    worksheets = data.get("worksheets")
    if isinstance(worksheets, list):
        return [c for w in worksheets if isinstance(w, dict) and isinstance(w.get("cells"), list)
                for c in w["cells"]]
    return []


def solution_cells(nb) -> dict[str, list[int]]:
    """grade_id -> indices of the solution cells carrying it (more than one means duplicated)."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        if is_solution(cell) and (exercise := grade_id(cell)):
            found.setdefault(exercise, []).append(index)
    return found


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def code_sources(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]

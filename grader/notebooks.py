"""Where the course's notebooks live, and what we read from their nbgrader metadata."""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

from .i18n import N_, _

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


def templates_dir(lang: str = "en") -> Path:
    """The student templates in `lang`: assignments/ (English) or assignments/<lang>/ (same cells,
    grade_ids and code; the markdown translated)."""
    return assignments_dir() if lang == "en" else assignments_dir() / lang


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
    for kind, name in ((bool, N_("a boolean")), (str, N_("a string")), ((int, float), N_("a number")),
                       (list, N_("a list")), (dict, N_("a dict"))):
        if isinstance(value, kind):
            return _(name)
    return type(value).__name__


# What the grader reads from a cell's nbgrader metadata, and the JSON type each must have.
_NBGRADER_FIELDS = {"grade_id": str, "solution": bool, "locked": bool}


# What the grader reads from a cell's nbgrader metadata, said in a student's words.
_FIELD_WORDS = {"grade_id": N_("its exercise name"), "solution": N_("its answer-cell flag"),
               "locked": N_("its locked flag")}


def repair_cell_metadata(cell: dict, name: str) -> list[str]:
    """Drop what the grader cannot read in one raw (JSON) cell's metadata, in place; say what, for
    the student. `name` is how the student finds the cell (cell_names). The grader then treats the
    cell as if the malformed part were absent: it never fails on it."""
    notes = []
    if not isinstance(cell, dict):
        return notes
    if "metadata" in cell and not isinstance(cell["metadata"], dict):
        notes.append(_("the metadata of {cell} is malformed (it is {kind}, not a dict); it is ignored").format(
            cell=name, kind=_kind(cell["metadata"])))
        cell["metadata"] = {}
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict):
        return notes
    if "tags" in metadata and not (isinstance(metadata["tags"], list)
                                   and all(isinstance(t, str) for t in metadata["tags"])):
        kind = _kind(metadata["tags"])
        what = _("a list with non-string items") if isinstance(metadata["tags"], list) else kind
        notes.append(_("the tags of {cell} are malformed ({what}, not a list of strings); they are ignored").format(
            cell=name, what=what))
        del metadata["tags"]
    if "nbgrader" in metadata:
        value = metadata["nbgrader"]
        if not isinstance(value, dict):
            notes.append(_("the grading metadata of {cell} is malformed (it is {kind}, not a dict); it is ignored")
                         .format(cell=name, kind=_kind(value)))
            del metadata["nbgrader"]
        else:
            for key, kind in _NBGRADER_FIELDS.items():
                if key in value and not isinstance(value[key], kind):
                    notes.append(_("the grading metadata of {cell} is malformed ({field} is {kind}); it is ignored")
                                 .format(cell=name, field=_(_FIELD_WORDS[key]), kind=_kind(value[key])))
                    del value[key]
    return notes


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)  # a markdown ATX heading


def _ordinal(n: int) -> str:
    words = {1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), 5: N_("fifth")}
    return _(words[n]) if n in words else _("{n}th").format(n=n)


def cell_names(cells) -> list[str]:
    """How a student finds each cell in Jupyter, which shows no cell numbers and no metadata: an
    exercise's cell by its exercise, any other by the markdown heading above it (the last heading
    of the nearest markdown cell that has one) and its place among that section's code cells.
    Works on nbformat cells and raw JSON cells; the grader's injected cell is not counted."""
    names, heading, count = [], None, 0
    for cell in cells:
        cell = cell if isinstance(cell, dict) else {}
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        kind = cell.get("cell_type")
        if kind == "markdown" and (found := _HEADING.findall(source)):
            heading, count = found[-1], 0
            names.append(_('the text cell of the heading "{heading}"').format(heading=heading))
            continue
        if kind != "code":
            names.append(_('a text cell under the heading "{heading}"').format(heading=heading) if heading
                         else _("a text cell at the top"))
            continue
        if "injected-parameters" in tags(cell):
            names.append(_("the grader's own parameters cell"))
            continue
        count += 1
        exercise = grade_id(cell) if is_solution(cell) else None
        exercise = None if exercise and "." in exercise else exercise  # a training cell: by its heading
        if exercise:
            names.append(_("the cell of exercise `{exercise}`").format(exercise=exercise))
        elif heading:
            names.append(_('the {ordinal} code cell under the heading "{heading}"').format(
                ordinal=_ordinal(count), heading=heading))
        else:
            names.append(_("the {ordinal} code cell from the top of the notebook").format(ordinal=_ordinal(count)))
    return names


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

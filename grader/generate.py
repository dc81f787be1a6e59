"""Student templates from the reference notebooks (nbgrader's "generate assignment"):
solutions replaced by a stub, outputs cleared, locked cells checksummed; in English (assignments/)
and in each translation (assignments/<lang>/: the markdown from the `notebooks` catalog, every
code cell, grade_id and code checksum the same, so a submission grades the same from either)."""
from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import nbformat

from . import notebooks
from .i18n import LANGUAGES, translate

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"^(\s*)### (BEGIN|END) SOLUTION\s*$")


def strip_solution(source: str) -> str:
    """Replace each BEGIN/END SOLUTION block by the stub, at the block's indentation."""
    out, inside = [], False
    for line in source.splitlines():
        marker = _MARKER.match(line)
        if marker and marker.group(2) == "BEGIN":
            indent, inside = marker.group(1), True
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif marker:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("a ### BEGIN SOLUTION without its ### END SOLUTION")
    return "\n".join(out)


def checksum(cell) -> str:
    """What a locked cell must keep: its type and source (md5, as nbgrader records one)."""
    return hashlib.md5(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()


def template_of(reference: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(reference)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if notebooks.is_solution(cell):
            cell.source = strip_solution(cell.source)
        if notebooks.nbgrader(cell):
            cell.metadata["nbgrader"]["checksum"] = checksum(cell)
    return nb


def translated(template: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """The template in `lang`: each markdown cell translated whole, its checksum recomputed."""
    nb = copy.deepcopy(template)
    if lang == "en":
        return nb
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            cell.source = translate(cell.source, lang, "notebooks")
            if notebooks.nbgrader(cell):
                cell.metadata["nbgrader"]["checksum"] = checksum(cell)
    return nb


def course_problems(folder: Path) -> list[str]:
    """What does not match between the notebooks in `folder` and the exercise folders: a solution
    cell whose grade_id no exercise has, an exercise whose notebook or cell is missing."""
    from .exercises import EXERCISES
    from .selfcheck import public_checks
    problems, found = [], {}
    for path in sorted(folder.glob("*.ipynb")):
        for exercise in notebooks.solution_cells(notebooks.read(path)):
            if "." in exercise:  # a further cell of an exercise (exercise 8's training cells)
                if exercise.split(".")[0] not in EXERCISES:
                    problems.append(f"{path.name} has a solution cell with grade_id {exercise!r}, but no exercise "
                                    f"folder grader/exercises/{exercise.split('.')[0]}/ defines it")
                continue
            found.setdefault(exercise, path.stem)
            if exercise not in EXERCISES:
                problems.append(f"{path.name} has a solution cell with grade_id {exercise!r}, but no exercise "
                                f"folder grader/exercises/{exercise}/ defines it")
    for exercise, spec in EXERCISES.items():
        if exercise not in found:
            problems.append(f"exercise {exercise} has no solution cell in {spec.notebook}.ipynb (or no such "
                            "notebook)")
        elif found[exercise] != spec.notebook:
            problems.append(f"exercise {exercise} is in {found[exercise]}.ipynb, but its selfcheck.py says "
                            f"{spec.notebook}")
    public = public_checks()
    problems += [f"grader/exercises/{e}/ has a selfcheck.py but no checks.py" for e in public if e not in EXERCISES]
    problems += [f"grader/exercises/{e}/ has a checks.py but no selfcheck.py" for e in EXERCISES if e not in public]
    return problems


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def generate(reference_dir: Path, assignments_dir: Path, check: bool = False) -> list[str]:
    """Write (or, with check, compare) every template in every language; return the names that were
    (or are) stale, e.g. `01_leaky_relu.ipynb`, `zh/01_leaky_relu.ipynb`. Raises ValueError, before
    writing anything, when notebooks and exercise folders do not match."""
    problems = course_problems(reference_dir)
    if problems:
        raise ValueError("; ".join(problems))
    stale = []
    templates = [(path.name, template_of(notebooks.read(path))) for path in sorted(reference_dir.glob("*.ipynb"))]
    for lang in LANGUAGES:
        folder = assignments_dir if lang == "en" else assignments_dir / lang
        for name, template in templates:
            text, target = render(translated(template, lang)), folder / name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target.relative_to(assignments_dir)))
                if not check:
                    folder.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
    return stale

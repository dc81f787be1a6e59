"""Prepare a student's notebook for execution, as nbgrader does: restore every
locked cell from the template, and inject the grading budget after the cell
tagged `parameters` (papermill's convention)."""
from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass, field

import nbformat

from . import notebooks
from .config import GradeConfig
from .exercises import EXERCISES
from .i18n import LANGUAGES, _, ngettext

_TEMPLATES: dict[tuple[str, str], nbformat.NotebookNode | None] = {}


@dataclass
class Prepared:
    nb: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    injected_at: int = 0  # index of the grader's parameters cell

    def cell_name(self, index: int) -> str:
        """How the student finds a prepared cell in Jupyter (by its heading, never a number)."""
        return notebooks.cell_names(self.nb.cells)[index]


def _template(stem: str, lang: str) -> nbformat.NotebookNode | None:
    if (stem, lang) not in _TEMPLATES:
        path = notebooks.templates_dir(lang) / f"{stem}.ipynb"
        _TEMPLATES[stem, lang] = notebooks.read(path) if lang == "en" or path.exists() else None
    return _TEMPLATES[stem, lang]


def _template_for(nb) -> nbformat.NotebookNode | None:
    """The template the notebook started from: of its exercises' notebook, in the language whose
    locked cells it keeps most of (a Chinese template's markdown is restored in Chinese)."""
    for exercise in notebooks.solution_cells(nb):
        if exercise in EXERCISES:
            stem = EXERCISES[exercise].notebook
            sources = {c.source for c in nb.cells}
            found = [t for t in (_template(stem, lang) for lang in LANGUAGES) if t is not None]
            return max(found, key=lambda t: sum(notebooks.is_locked(c) and c.source in sources for c in t.cells))
    return None


def _restore_locked(nb, template, notes: list[str]) -> None:
    # The parameters cell is the student's to edit (fewer epochs to try things): the grader's own
    # parameters cell, injected after it, overrides it anyway.
    locked = {notebooks.grade_id(c): c for c in template.cells if notebooks.is_locked(c) and notebooks.grade_id(c)
              and "parameters" not in notebooks.tags(c)}
    parameters = {notebooks.grade_id(c) for c in template.cells if "parameters" in notebooks.tags(c)} - {None}
    changed, names = [], notebooks.cell_names(nb.cells)
    for index, cell in enumerate(nb.cells):
        if notebooks.grade_id(cell) in parameters and "parameters" not in notebooks.tags(cell):
            cell.metadata["tags"] = [*notebooks.tags(cell), "parameters"]  # the grader's budget goes after it
        original = locked.get(notebooks.grade_id(cell)) if notebooks.grade_id(cell) else None
        if original is None or notebooks.is_solution(cell):
            continue
        if cell.source != original.source or cell.cell_type != original.cell_type:
            changed.append(names[index])
        restored = copy.deepcopy(original)
        if isinstance(cell.get("id"), str):
            restored["id"] = cell["id"]  # cell ids must stay unique within the notebook
        nb.cells[index] = restored
    if changed:
        notes.append(ngettext("{cells}: a locked cell of the template, changed; the grader restored the template's "
                              "version before running the notebook",
                              "{cells}: locked cells of the template, changed; the grader restored the template's "
                              "version before running the notebook", len(changed)).format(cells=_("; ").join(changed)))


def notebook_parameters(nb, config: GradeConfig) -> dict:
    """The grading budget of this notebook: the run's epochs and data set, and what the exercises
    it holds declare for themselves (model.py NOTEBOOK_PARAMETERS: exercises 8 and 9 train with
    early stopping, so they get more epochs and a patience)."""
    parameters = {"n_epochs": config.epochs}
    for exercise in notebooks.solution_cells(nb):
        if exercise in EXERCISES:
            parameters.update(declared_parameters(exercise))
    parameters["data"] = config.data
    return parameters


def declared_parameters(exercise: str) -> dict:
    """What an exercise's model.py declares for its notebook (NOTEBOOK_PARAMETERS); {} when it declares
    nothing (an exercise needs no model.py)."""
    try:
        model = importlib.import_module(f"grader.exercises.{exercise}.model")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(model, "NOTEBOOK_PARAMETERS", {}))


def _parameters_cell(parameters: dict):
    source = "# Injected by the grader: its training budget and data set.\n" + \
             "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})


def prepare(student_nb: nbformat.NotebookNode, config: GradeConfig) -> Prepared:
    nb = copy.deepcopy(student_nb)
    prepared = Prepared(nb)
    template = _template_for(nb)
    if template is not None:
        _restore_locked(nb, template, prepared.notes)
    for cell in nb.cells:  # a notebook saved mid-run: start clean
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in notebooks.tags(c)), None)
    if at is None:
        at = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), -1)
    prepared.injected_at = at + 1
    nb.cells.insert(prepared.injected_at, _parameters_cell(notebook_parameters(nb, config)))
    return prepared

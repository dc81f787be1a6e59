"""Make student submissions the way students do: the template with its stubbed cells filled in."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from grader import notebooks
from grader.exercises import EXERCISES

VARIANTS = Path(__file__).parent / "variants"


def variant(exercise: str, name: str) -> str:
    """The solution-cell source of tests/variants/<exercise>/<name>.py."""
    return (VARIANTS / exercise / f"{name}.py").read_text()


def fill(stem: str, solutions: dict[str, str], lang: str = "en") -> nbformat.NotebookNode:
    """The template `stem` (in `lang`) with the solution cells of `solutions` (grade_id -> source) replaced."""
    nb = copy.deepcopy(notebooks.read(notebooks.templates_dir(lang) / f"{stem}.ipynb"))
    for cell in nb.cells:
        if notebooks.is_solution(cell) and notebooks.grade_id(cell) in solutions:
            cell.source = solutions[notebooks.grade_id(cell)]
    return nb


# The notebooks whose exercises are graded from the student's functions alone (01-06). Exercises 8
# and 9 also need trained models, whose grading costs a notebook's training: tests/test_trained.py.
FUNCTION_NOTEBOOKS = sorted({e.notebook for e in EXERCISES.values() if not any(c.handin for c in e.checks)})
FUNCTION_POINTS = sum(e.points for e in EXERCISES.values() if e.notebook in FUNCTION_NOTEBOOKS)


def write_submission(folder: Path, solutions: dict[str, str], lang: str = "en") -> Path:
    """A submission of notebooks 01-06 in `folder`, started from the templates in `lang`; exercises not
    in `solutions` stay stubs."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem in FUNCTION_NOTEBOOKS:
        nbformat.write(fill(stem, solutions, lang), str(folder / f"{stem}.ipynb"))
    return folder


CORRECT = {  # one correct variant per exercise, each written differently from the reference
    "leaky_relu": "correct_where",
    "bn_update_ops": "correct_group",
    "clipped_apply_gradients": "correct_min_max_loop",
    "reuse_layers": "correct_saver_dict",
    "freeze_layers": "correct_re_match_trainable",
}


def _a_correct_variant(exercise: str) -> str:
    return CORRECT.get(exercise) or sorted(p.stem for p in (VARIANTS / exercise).glob("correct_*.py"))[0]


def solutions(**overrides: str) -> dict[str, str]:
    """Correct solutions for every exercise, with some replaced by other variants by name."""
    chosen = {**{e: _a_correct_variant(e) for e in EXERCISES if EXERCISES[e].notebook in FUNCTION_NOTEBOOKS},
              **overrides}
    return {exercise: variant(exercise, name) for exercise, name in chosen.items()}

"""Load a submission: a notebook file or a folder of them. Anything unreadable
becomes a problem with a reason the student understands, never an exception."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .errors import summarize

MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024


@dataclass
class LoadedNotebook:
    path: Path
    notebook: nbformat.NotebookNode | None = None
    problem: str | None = None


@dataclass
class Submission:
    name: str
    path: Path
    notebooks: list[LoadedNotebook] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def submission_name(path: Path) -> str:
    path = path.absolute()  # "." has no name of its own
    return (path.resolve().name if path.is_dir() else path.stem) or "submission"


def read_notebook(path: Path) -> LoadedNotebook:
    loaded = LoadedNotebook(path)
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            loaded.problem = f"{path.name} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit"
            return loaded
        raw = path.read_bytes()
    except OSError as error:
        loaded.problem = f"{path.name} cannot be read ({error.strerror or error})"
        return loaded
    if not raw.strip():
        loaded.problem = f"{path.name} is empty"
        return loaded
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        loaded.problem = f"{path.name} is not a notebook (not JSON text)"
        return loaded
    if not isinstance(data, dict) or "nbformat" not in data or not isinstance(data.get("nbformat"), int):
        loaded.problem = f"{path.name} is JSON but not a Jupyter notebook (no nbformat version)"
        return loaded
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)  # converts nbformat 3 notebooks
        nbformat.validate(nb)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds; all mean "not a valid notebook"
        why = summarize(type(error).__name__, str(error), limit=250)
        loaded.problem = f"{path.name} is not a valid notebook ({why})"
        return loaded
    language = nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get("language_info", {}).get("name")
    if language and language.lower() != "python":
        loaded.problem = f"{path.name} is a {language} notebook; these exercises are Python"
        return loaded
    if not nb.cells:
        loaded.problem = f"{path.name} has no cells"
        return loaded
    loaded.notebook = nb
    return loaded


def _notebook_files(folder: Path, problems: list[str]) -> list[Path]:
    root = folder.resolve()
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts or path.name.endswith(".executed.ipynb"):
            continue  # Jupyter's autosaves, and the grader's own output of an earlier run
        if path.is_symlink() and root not in path.resolve().parents:
            problems.append(f"{path.relative_to(folder)} is a link to a file outside the submission; ignored")
            continue
        found.append(path)
    return found


def load_submission(path: Path) -> Submission:
    submission = Submission(submission_name(path), path)
    if path.is_dir():
        files = _notebook_files(path, submission.problems)
        if not files:
            submission.problems.append(f"the folder {path.name} holds no notebooks (.ipynb files)")
        submission.notebooks = [read_notebook(p) for p in files]
    elif path.is_symlink() and not os.path.exists(path):
        submission.problems.append(f"{path.name} is a broken link")
    else:
        submission.notebooks = [read_notebook(path)]
    submission.problems += [nb.problem for nb in submission.notebooks if nb.problem]
    return submission

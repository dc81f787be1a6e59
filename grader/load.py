"""Load a submission: a notebook file or a folder of them. Anything unreadable
becomes a problem with a reason the student understands, never an exception."""
from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import notebooks
from .errors import summarize
from .i18n import _

MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024


@dataclass
class LoadedNotebook:
    path: Path
    notebook: nbformat.NotebookNode | None = None
    problem: str | None = None  # why it cannot be graded at all
    notes: list[str] = field(default_factory=list)  # what was ignored in it (malformed metadata)


@dataclass
class Submission:
    name: str
    path: Path
    notebooks: list[LoadedNotebook] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


MAX_NAME_BYTES = 100  # a result folder's name; the file system allows 255, and suffixes come after it
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def safe_name(text: str) -> str:
    """`text` as one safe folder name: never empty, `.` or `..`, no separators or control characters,
    no leading dot (a hidden folder, or one of the grader's own dot files), at most MAX_NAME_BYTES."""
    text = unicodedata.normalize("NFC", text)
    text = "".join("_" if _UNSAFE.match(c) or unicodedata.category(c) in ("Cs", "Co", "Cn") else c
                   for c in text).strip()
    text = re.sub(r"^\.+", lambda m: "_" * len(m.group()), text)
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        text = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip()
    return text or "submission"


def submission_name(path: Path) -> str:
    """The natural name of a submission's result folder: the folder's name, or the notebook's stem
    (safe_name of it; the batch makes names unique, see grade_batch.result_names)."""
    path = Path(os.path.abspath(path))  # "." and ".." have no name of their own
    try:
        base = path.resolve().name if path.is_dir() else path.stem
    except (OSError, RuntimeError):  # a link loop
        base = path.stem
    return safe_name(base)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value, replaced: list[int]):
    """JSON text may escape lone UTF-16 surrogates (\\ud800), which no UTF-8 file can hold."""
    if isinstance(value, str):
        fixed, count = _SURROGATE.subn("\ufffd", value)
        if count:
            replaced.append(count)
        return fixed
    if isinstance(value, list):
        return [_without_surrogates(v, replaced) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k, replaced): _without_surrogates(v, replaced) for k, v in value.items()}
    return value


def _read_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why it cannot be read."""
    try:
        info = path.stat()
        size = info.st_size
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):  # a pipe or a device would hang
            return None, _("{file} cannot be read (not a regular file)").format(file=path.name)
        if size > MAX_NOTEBOOK_BYTES:
            return None, _("{file} is {size} MB, over the {limit} MB limit").format(
                file=path.name, size=f"{size / 2**20:.0f}", limit=MAX_NOTEBOOK_BYTES // 2**20)
        return path.read_bytes(), None
    except (OSError, RuntimeError) as error:  # RuntimeError: a link loop
        return None, _("{file} cannot be read ({error})").format(file=path.name,
                                                               error=getattr(error, "strerror", None) or error)


def read_notebook(path: Path) -> LoadedNotebook:
    raw, problem = _read_bytes(path)
    return LoadedNotebook(path, problem=problem) if raw is None else parse_notebook(path, raw)


def parse_notebook(path: Path, raw: bytes) -> LoadedNotebook:
    """The notebook in `raw` (the bytes of the file `path`), or why it cannot be graded."""
    loaded = LoadedNotebook(path)
    if not raw.strip():
        loaded.problem = _("{file} is empty").format(file=path.name)
        return loaded
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        loaded.problem = _("{file} is not a notebook (not JSON text)").format(file=path.name)
        return loaded
    if not isinstance(data, dict) or "nbformat" not in data or not isinstance(data.get("nbformat"), int):
        loaded.problem = _("{file} is JSON but not a Jupyter notebook (no nbformat version)").format(file=path.name)
        return loaded
    repaired = False
    if re.search(rb"\\[uU][dD][89a-fA-F]", raw):
        replaced: list[int] = []
        try:
            data = _without_surrogates(data, replaced)
        except RecursionError:
            loaded.problem = _("{file} is not a notebook (nested too deeply)").format(file=path.name)
            return loaded
        if replaced:
            loaded.notes.append(_("it holds {n} invalid character(s) (unpaired surrogate escapes); each was "
                                  "replaced by \ufffd").format(n=sum(replaced)))
            repaired = True
    cells = notebooks.raw_cells(data)
    for cell, name in zip(cells, notebooks.cell_names(cells)):  # before nbformat reads the metadata
        notes = notebooks.repair_cell_metadata(cell, name)
        loaded.notes += notes
        repaired = repaired or bool(notes)
    try:
        text = json.dumps(data) if repaired else raw.decode("utf-8")
        nb = nbformat.reads(text, as_version=4)  # converts nbformat 3 notebooks
        nbformat.validate(nb)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds; all mean "not a valid notebook"
        why = summarize(type(error).__name__, str(error), limit=250)
        loaded.problem = _("{file} is not a valid notebook ({why})").format(file=path.name, why=why)
        return loaded
    language = next((value for key, field_ in (("kernelspec", "language"), ("language_info", "name"))
                     if isinstance(nb.metadata.get(key), dict)
                     and isinstance(value := nb.metadata[key].get(field_), str) and value), None)
    if language and language.lower() != "python":
        loaded.problem = _("{file} is a {language} notebook; these exercises are Python").format(file=path.name,
                                                                                          language=language)
        return loaded
    if not nb.cells:
        loaded.problem = _("{file} has no cells").format(file=path.name)
        return loaded
    loaded.notebook = nb
    return loaded


def _notebook_files(folder: Path, problems: list[str]) -> list[Path]:
    found = []
    try:
        root = folder.resolve()
        paths = sorted(folder.rglob("*.ipynb"))
    except (OSError, RuntimeError) as error:
        problems.append(_("the folder {folder} cannot be read ({error})").format(
            folder=folder.name, error=getattr(error, "strerror", None) or error))
        return found
    for path in paths:
        if ".ipynb_checkpoints" in path.parts or path.name.endswith(".executed.ipynb"):
            continue  # Jupyter's autosaves, and the grader's own output of an earlier run
        if path.is_symlink():
            try:
                outside = root not in path.resolve().parents
            except (OSError, RuntimeError):  # a link loop
                problems.append(_("{file} is a link that cannot be followed; ignored").format(
                    file=path.relative_to(folder)))
                continue
            if outside:
                problems.append(_("{file} is a link to a file outside the submission; ignored").format(
                    file=path.relative_to(folder)))
                continue
        found.append(path)
    return found


def _listing(path: Path, problems: list[str]) -> list[Path]:
    """The notebook files of a submission (a notebook, or a folder of them)."""
    if path.is_dir():
        files = _notebook_files(path, problems)
        if not files:
            problems.append(_("the folder {folder} holds no notebooks (.ipynb files)").format(folder=path.name))
        return files
    if path.is_symlink() and not os.path.exists(path):
        problems.append(_("{file} is a broken link").format(file=path.name))
        return []
    return [path]


def _loaded(submission: Submission) -> Submission:
    submission.problems += [nb.problem for nb in submission.notebooks if nb.problem]
    submission.problems += [f"{nb.path.name}: {note}" for nb in submission.notebooks if nb.notebook is not None
                            for note in nb.notes]
    return submission


def load_submission(path: Path) -> Submission:
    submission = Submission(submission_name(path), path)
    submission.notebooks = [read_notebook(p) for p in _listing(path, submission.problems)]
    return _loaded(submission)


# --------------------------------------------------------------------------- packed, to grade elsewhere
@dataclass(frozen=True)
class PackedSubmission:
    """A submission as plain bytes, to be graded on another machine (a Dask worker): what
    load_submission reads of the files here, parsed there exactly as load_submission parses it."""
    name: str
    path: str                                                 # as given here: messages name its files
    files: tuple[tuple[str, bytes | None, str | None], ...]   # (the file's path here, its bytes, why unreadable)
    problems: tuple[str, ...]                                 # found while listing it (links, no notebooks)

    @property
    def size(self) -> int:
        return sum(len(raw) for _, raw, _ in self.files if raw is not None)


def pack_submission(path: Path) -> PackedSubmission:
    problems: list[str] = []
    files = tuple((str(p), *_read_bytes(p)) for p in _listing(path, problems))
    return PackedSubmission(submission_name(path), str(path), files, tuple(problems))


def unpack_submission(packed: PackedSubmission) -> Submission:
    """The Submission load_submission would have made of the packed files (nothing touches the disk)."""
    submission = Submission(packed.name, Path(packed.path), problems=list(packed.problems))
    submission.notebooks = [LoadedNotebook(Path(name), problem=problem) if raw is None
                            else parse_notebook(Path(name), raw) for name, raw, problem in packed.files]
    return _loaded(submission)

"""The audit trail: what each results.json records of how it was graded, and the history of regrades.

- `record(config, hashes)`: in results.json's top-level extra_data (Gradescope keeps it as it is), the
  time (UTC, ISO 8601), the grader's, TensorFlow's and NumPy's versions (read from the installed
  distributions: the grader's own process never imports TensorFlow), the data set, the budget, and a
  sha256 of every notebook file of the submission (as load.py finds them), taken before grading.
- `keep_previous(folder)`: before a submission is graded again into a result folder that holds a
  result, that result (results.json, feedback.html, executed notebooks) moves to
  `<folder>/history/<its graded_at time>/`, so a regrade never loses what the student was told.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from .config import GradeConfig
from .exercises import EXERCISES
from .load import MAX_NOTEBOOK_BYTES, _notebook_files
from .prepare import declared_parameters

HISTORY = "history"


def _version(*distributions: str) -> str:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_of(path: Path) -> str | None:
    """The file's sha256, read without following a link; None when it cannot be (or was not) graded."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        read = 0
        while chunk := f.read(1 << 20):
            read += len(chunk)
            if read > MAX_NOTEBOOK_BYTES:
                return None
            digest.update(chunk)
    return digest.hexdigest()


def notebook_hashes(path: Path) -> dict[str, str]:
    """{notebook's path in the submission: sha256} for what the grader read."""
    if path.is_dir():
        files = [(p.relative_to(path).as_posix(), p) for p in _notebook_files(path, [])]  # as load.py finds them
    else:
        files = [(path.name, path)]
    return {name: digest for name, file in files if (digest := sha256_of(file)) is not None}


def budget(config: GradeConfig) -> dict:
    """The grading budget: the run's limits, the epochs of the notebooks and of the judge's training
    comparisons, and what exercises declare for their own notebook (prepare.notebook_parameters)."""
    declared = {e: parameters for e in EXERCISES if (parameters := declared_parameters(e))}
    return {"notebook_epochs": config.epochs, "training_check_epochs": config.harness_epochs,
            "exercise_notebook_parameters": declared, "timeout_s": config.timeout,
            "submission_timeout_s": config.submission_timeout, "max_memory_mib": config.max_memory_mb}


def record(config: GradeConfig, hashes: dict[str, str]) -> dict:
    """The audit fields of one result; `hashes`: notebook_hashes of the submission, taken before it
    was graded."""
    return {
        "graded_at": now(),
        "grader_version": _version("ch11-grader"),
        "tensorflow_version": _version("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly"),
        "numpy_version": _version("numpy"),
        "data": config.data,
        "budget": budget(config),
        "sha256": hashes,
    }


def keep_previous(folder: Path) -> Path | None:
    """Move the result in `folder` (everything but its history) to history/<when it was graded>/."""
    results = folder / "results.json"
    if not results.is_file():
        return None
    try:
        when = json.loads(results.read_bytes()).get("extra_data", {}).get("graded_at")
    except (OSError, ValueError, AttributeError, RecursionError):
        when = None
    if not isinstance(when, str) or not re.fullmatch(r"[0-9T:Z.+-]{10,40}", when):  # an older result: its file's time
        when = datetime.fromtimestamp(results.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = when.replace(":", "-")  # a folder name every file system takes
    target, n = folder / HISTORY / stamp, 1
    while target.exists():
        n += 1
        target = folder / HISTORY / f"{stamp}-{n}"
    target.mkdir(parents=True)
    for entry in sorted(folder.iterdir()):
        if entry.name != HISTORY:
            os.replace(entry, target / entry.name)
    return target

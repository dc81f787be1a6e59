"""Check each exercise: probe the student's functions and the reference's on
the same hidden inputs (in sandboxed workers), then judge here, in the
grader's own process."""
from __future__ import annotations

import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np

from . import extract, notebooks
from .exercises import EXERCISES
from .probes import ProbeOutcome, run_probes
from .results import TestResult

_PACKAGE = Path(__file__).resolve().parent
_PROBE_SOURCES = ["harness.py", "probe.py", "extract.py", "exercises/*.py"]


def task_id(exercise: str, check: str) -> str:
    return f"{exercise}.{check}"


def tasks_for(exercise_ids, program_of: dict[str, str]) -> list[dict]:
    return [{"id": task_id(e, c.key), "exercise": e, "check": c.key, "program": program_of[e]}
            for e in exercise_ids for c in EXERCISES[e].checks]


# --------------------------------------------------------------------------- reference (cached)
def _reference_programs() -> tuple[dict[str, list[str]], dict[str, str]]:
    programs, program_of = {}, {}
    for path in sorted(notebooks.reference_dir().glob("*.ipynb")):
        nb = notebooks.read(path)
        programs[path.stem] = extract.program(notebooks.code_sources(nb))
        for exercise in notebooks.solution_cells(nb):
            program_of[exercise] = path.stem
    return programs, program_of


def reference_key(budget: dict) -> str:
    digest = hashlib.sha256()
    for package in ("tensorflow", "tf-keras", "numpy"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    digest.update(json.dumps(budget, sort_keys=True).encode())
    for pattern in _PROBE_SOURCES:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.read_bytes())
    digest.update(json.dumps(_reference_programs()[0], sort_keys=True).encode())
    return digest.hexdigest()[:20]


def reference_outcomes(budget: dict, cache_dir: Path, workdir: Path, timeout: float,
                       sandbox) -> tuple[dict[str, ProbeOutcome], bool]:
    """The reference's probe values for every check; (outcomes, came from the cache)."""
    folder = cache_dir / reference_key(budget)
    index = folder / "outcomes.json"
    if index.exists():
        statuses = json.loads(index.read_text())
        outcomes = {}
        for tid, status in statuses.items():
            with np.load(folder / f"{tid}.npz", allow_pickle=False) as npz:
                outcomes[tid] = ProbeOutcome(status, values={k: npz[k] for k in npz.files})
        return outcomes, True
    programs, program_of = _reference_programs()
    outcomes = run_probes(programs, tasks_for(EXERCISES, program_of), budget, workdir, timeout, sandbox)
    broken = {t: o.message for t, o in outcomes.items() if o.status != "ok"}
    if broken:
        raise RuntimeError(f"the reference solutions fail their own checks: {broken}")
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for tid, outcome in outcomes.items():
        np.savez(staging / f"{tid}.npz", **outcome.values)
    (staging / "outcomes.json").write_text(json.dumps({t: o.status for t, o in outcomes.items()}))
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)  # atomic: a half-written cache is never read
    return outcomes, False


# --------------------------------------------------------------------------- judging
def not_graded(exercise_id: str, reason: str) -> list[TestResult]:
    """Zero for every test of the exercise, each with the same reason."""
    return [TestResult(exercise_id, c.name, c.points, 0.0, reason) for c in EXERCISES[exercise_id].checks]


def judge_exercise(exercise_id: str, student: dict[str, ProbeOutcome],
                   reference: dict[str, ProbeOutcome]) -> list[TestResult]:
    exercise = EXERCISES[exercise_id]
    results = []
    for check in exercise.checks:
        tid = task_id(exercise_id, check.key)
        mine, ref = student[tid], reference[tid]
        result = TestResult(exercise_id, check.name, check.points)
        if mine.status == "ok":
            verdict = check.judge(mine.values, ref.values)
            result.score = check.points if verdict.passed else 0.0
            result.output = verdict.message
        elif mine.status in ("not_implemented", "missing"):
            result.output = f"Not implemented: {mine.message}."
        elif mine.status == "raised":
            result.output = f"Your {exercise.function} raised {mine.message}"
        elif mine.status == "timeout":
            result.output = f"This check of {exercise.function} {mine.message} (an endless loop?)."
        else:
            result.output = f"This check of {exercise.function} could not finish: {mine.message}."
        results.append(result)
    return results

"""Check each exercise: the builder builds with the student's functions and with the reference's
(in the sandbox), the judge verifies and measures both the same way (where no student code
runs), and each check's verdict compares the two here, in the grader's own process."""
from __future__ import annotations

import hashlib
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat
import numpy as np

from . import extract, notebooks
from .builds import Built, run_builds
from .exercises import EXERCISES
from .i18n import _
from .judge import pretrained_ready
from .results import TestResult

_PACKAGE = Path(__file__).resolve().parent
_SOURCES = ["graphs.py", "builder.py", "recording.py", "frames.py", "extract.py", "exercises/*/*.py", "judge/*.py",
            "handin.py", "handins.py", "prepare.py", "data.py"]


@dataclass
class Outcome:
    status: str  # ok | not_implemented | missing | not_handed_in | raised | refused | timeout | crashed | error
    message: str = ""
    values: dict | None = None


def task_id(exercise: str, check: str) -> str:
    return f"{exercise}.{check}"


def tasks_for(exercise_ids, program_of: dict[str, str]) -> list[dict]:
    """The builder's tasks (checks of a handed-in model have none: the notebook built it)."""
    return [{"id": task_id(e, c.key), "exercise": e, "check": c.key, "function": EXERCISES[e].function,
             "program": program_of[e]} for e in exercise_ids for c in EXERCISES[e].checks if not c.handin]


def measure(built: dict[str, Built], tasks: list[dict], judge, timeout: float,
            slots: threading.Semaphore | None = None, workers: int = 1) -> dict[str, Outcome]:
    """The judge's measurements of what was built (`workers` at a time, each holding a slot);
    what could not be built keeps its reason."""
    def one(task: dict) -> Outcome:
        b = built[task["id"]]
        if b.status != "ok":
            return Outcome(b.status, b.message)
        with slots or nullcontext():
            m = judge.measure(task["exercise"], task["check"], b.info, b.blobs, timeout)
        return Outcome(m.status, m.message, m.values)
    if workers <= 1:
        return {task["id"]: one(task) for task in tasks}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {task["id"]: pool.submit(one, task) for task in tasks}
        while wait(futures.values(), timeout=0.25).not_done:
            pass  # in short waits: Ctrl-C is raised in the main thread only when it runs (grade_batch.LocalSlots)
        return {key: future.result() for key, future in futures.items()}


# --------------------------------------------------------------------------- reference (cached)
def _reference_programs() -> tuple[dict[str, list[str]], dict[str, str]]:
    programs, program_of = {}, {}
    for path in sorted(notebooks.reference_dir().glob("*.ipynb")):
        nb = notebooks.read(path)
        programs[path.stem] = extract.program(notebooks.code_sources(nb))
        for exercise in notebooks.solution_cells(nb):
            program_of[exercise] = path.stem
    return programs, program_of


def _digest(budget: dict, sources, *texts) -> str:
    digest = hashlib.sha256()
    for package in ("tensorflow", "tf-keras", "numpy"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    digest.update(json.dumps(budget, sort_keys=True).encode())
    for path in sources:
        digest.update(path.read_bytes())
    for text in texts:
        digest.update(json.dumps(text, sort_keys=True).encode())
    return digest.hexdigest()[:20]


def _shared_sources(exercises) -> list[Path]:
    """The grader's measuring code, with only these exercises' folders: an exercise added to the
    course does not invalidate what the other exercises' references measured."""
    paths = [path for pattern in _SOURCES if not pattern.startswith("exercises/")
             for path in sorted(_PACKAGE.glob(pattern))]
    paths += [_PACKAGE / "exercises" / "base.py", _PACKAGE / "exercises" / "__init__.py"]
    return paths + [path for e in sorted(exercises) for path in sorted((_PACKAGE / "exercises" / e).glob("*.py"))]


def reference_key(budget: dict) -> str:
    """The key of the functions' reference measurements (every check the builder runs)."""
    programs, program_of = _reference_programs()
    return _digest(budget, _shared_sources(program_of), programs)


def _handin_notebooks() -> list[tuple[Path, nbformat.NotebookNode, list[str]]]:
    """(path, notebook, its exercises) of each reference notebook that hands in trained models."""
    from .handins import handin_checks
    found = []
    for path in sorted(notebooks.reference_dir().glob("*.ipynb")):
        nb = notebooks.read(path)
        exercises = [e for e in notebooks.solution_cells(nb) if e in EXERCISES]
        if handin_checks(exercises):
            found.append((path, nb, exercises))
    return found


def _handin_key(budget: dict, nb, exercises, pretrained: str) -> str:
    """A handing-in notebook's key: its own code, its exercises, the model it may restore."""
    return _digest(budget, _shared_sources(exercises), notebooks.code_sources(nb), pretrained)


def _reference_handins(budget: dict, path: Path, nb, exercises, workdir: Path, timeout: float, sandbox,
                       judge) -> dict[str, Outcome]:
    """The models a reference notebook hands in (exercises 8 and 9): run as a student's is
    (prepared with the grading budget, in a sandboxed kernel), its models measured."""
    from .config import GradeConfig
    from .execute import execute
    from .handins import copy_provided, measure_handins, needs_provided
    from .prepare import prepare
    config = GradeConfig(out=workdir, data=budget["data"], mnist_dir=budget.get("mnist_dir"))
    prepared = prepare(nb, config)
    run_dir = workdir / f"notebook-{path.stem}"
    run_dir.mkdir()
    if needs_provided(exercises):
        copy_provided(judge, run_dir)
    execution = execute(prepared.nb, run_dir, timeout, sandbox, config.mnist_dir, prepared.cell_name)
    if execution.failure:
        raise RuntimeError(f"the reference notebook {path.name} did not run: {execution.failure}")
    return measure_handins(run_dir, exercises, judge, timeout)


def _pretrained_key(budget: dict) -> str:
    return _digest(budget, [_PACKAGE / name for name in ("graphs.py", "judge/training.py", "data.py")])


def pretrained_cache(config) -> Path:
    """Where the judge keeps the pretrained models (of the reuse exercises, and exercise 8's model
    that notebook 9 restores) between runs (its key: the versions, the budget and the code that
    builds and trains them)."""
    return config.cache_dir / f"pretrained-{_pretrained_key(config.budget)}"


def _cached(folder: Path) -> dict[str, Outcome] | None:
    index = folder / "outcomes.json"
    if not index.exists():
        return None
    outcomes = {}
    for tid, status in json.loads(index.read_text()).items():
        with np.load(folder / f"{tid}.npz", allow_pickle=False) as npz:
            outcomes[tid] = Outcome(status, values={k: npz[k] for k in npz.files})
    return outcomes


def _store(folder: Path, outcomes: dict[str, Outcome], what: str) -> None:
    broken = {t: f"{o.status}: {o.message}" for t, o in outcomes.items() if o.status != "ok"}
    if broken:
        raise RuntimeError(f"the reference solutions fail their own checks ({what}): {broken}")
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for tid, outcome in outcomes.items():
        np.savez(staging / f"{tid}.npz", **outcome.values)
    (staging / "outcomes.json").write_text(json.dumps({t: o.status for t, o in outcomes.items()}))
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)  # atomic: a half-written cache is never read


def _handin_folder(budget: dict, cache_dir: Path, nb, exercises) -> Path:
    return cache_dir / f"handins-{_handin_key(budget, nb, exercises, _pretrained_key(budget))}"


def reference_cached(config) -> bool:
    """Whether the reference's measurements and the pretrained models are all in the cache (then a run
    on a cluster needs no judge on this machine: its workers have their own)."""
    folders = [config.cache_dir / reference_key(config.budget)]
    folders += [_handin_folder(config.budget, config.cache_dir, nb, exercises) for _, nb, exercises in _handin_notebooks()]
    return all((f / "outcomes.json").exists() for f in folders) and pretrained_ready(pretrained_cache(config))


def _need(judge) -> None:
    if judge is None:  # reference_cached said yes, then the cache went (another run cleaned it)
        raise RuntimeError("the reference cache was removed as this run started; run the command again")


def reference_outcomes(budget: dict, cache_dir: Path, workdir: Path, timeout: float, sandbox,
                       judge, workers: int = 1) -> tuple[dict[str, Outcome], bool]:
    """The judge's measurements of the reference for every check; (outcomes, all came from the cache).
    `judge` may be None when reference_cached() said everything is cached.

    Cached in parts, each under its own key: the functions' checks, and each notebook that hands in
    trained models (the slow part: it trains them)."""
    outcomes, all_cached = {}, True
    folder = cache_dir / reference_key(budget)
    functions = _cached(folder)
    if functions is None:
        all_cached = False
        _need(judge)
        programs, program_of = _reference_programs()
        tasks = tasks_for(EXERCISES, program_of)
        built = run_builds(programs, tasks, workdir, timeout, sandbox, provided=judge.provided)
        functions = measure(built, tasks, judge, timeout, workers=workers)
        _store(folder, functions, "functions")
    outcomes.update(functions)
    for path, nb, exercises in _handin_notebooks():
        folder = _handin_folder(budget, cache_dir, nb, exercises)
        handed = _cached(folder)
        if handed is None:
            all_cached = False
            _need(judge)
            handed = _reference_handins(budget, path, nb, exercises, workdir, timeout, sandbox, judge)
            _store(folder, handed, path.name)
        outcomes.update(handed)
    return outcomes, all_cached


# --------------------------------------------------------------------------- judging
def not_graded(exercise_id: str, reason: str) -> list[TestResult]:
    """Zero for every test of the exercise, each with the same reason."""
    return [TestResult(exercise_id, c.name, c.points, 0.0, reason) for c in EXERCISES[exercise_id].checks]


def _outcome_text(outcome: Outcome, function: str, handin: str | None) -> str:
    """Why a check of `function` has no verdict, for the student."""
    status, message = outcome.status, outcome.message
    if status == "not_handed_in":
        text = _("Not graded: {message}.")
    elif status in ("not_implemented", "missing"):
        text = _("Not implemented: {message}.")
    elif status == "raised":
        text = _("Your {function} raised {message}")
    elif status == "refused" and handin:
        text = _("The model handed in as \"{handin}\" was not evaluated: {message}.")
    elif status == "refused":
        text = _("What your {function} built was not run: {message}.")
    elif status == "timeout":
        text = _("This check of {function} {message} (an endless loop?).")
    else:
        text = _("This check of {function} could not finish: {message}.")
    return text.format(function=function, message=message, handin=handin)


def judge_exercise(exercise_id: str, student: dict[str, Outcome], reference: dict[str, Outcome]) -> list[TestResult]:
    exercise = EXERCISES[exercise_id]
    results = []
    for check in exercise.checks:
        tid = task_id(exercise_id, check.key)
        mine, ref = student.get(tid), reference[tid]
        if mine is None:  # a handed-in model's check whose notebook never got to measure it
            mine = Outcome("not_handed_in", _("no model was handed in as \"{name}\"").format(name=check.handin))
        result = TestResult(exercise_id, check.name, check.points)
        if mine.status == "ok":
            try:
                verdict = check.judge(mine.values, ref.values)
            except (KeyError, ValueError, TypeError, IndexError):  # measured values of an unexpected form
                result.output = _("The values measured from your function do not have the expected form.")
            else:
                share = verdict.fraction if verdict.fraction is not None else float(verdict.passed)
                result.score = round(check.points * min(1.0, max(0.0, share)), 2)
                result.output = verdict.message
        else:
            result.output = _outcome_text(mine, exercise.function, check.handin)
        results.append(result)
    return results

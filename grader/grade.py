"""Grade one submission: load -> prepare -> execute (and build -> measure, alongside) -> check -> result.

Each stage is its own module; this file is only their order.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import extract, notebooks
from .builds import run_builds
from .checks import judge_exercise, measure, not_graded, tasks_for
from .config import GradeConfig
from .execute import Execution, execute
from .exercises import EXERCISES
from .feedback import write_feedback_html
from .forkserver import ForkServer
from .handins import copy_provided, measure_handins, needs_provided
from .i18n import _
from .load import LoadedNotebook, PackedSubmission, load_submission, safe_name, unpack_submission
from .prepare import Prepared, prepare
from .results import SubmissionResult
from .sandbox import Sandbox, new_workdir


@dataclass
class _Notebook:
    key: str                        # unique within the submission
    loaded: LoadedNotebook
    nb: nbformat.NotebookNode       # prepared: locked cells restored, parameters injected
    prepared: Prepared
    exercises: dict[str, list[int]]  # grade_id -> solution cell indices
    execution: Execution | None = None
    notes: list[str] = field(default_factory=list)


def _find_notebooks(loaded: list[LoadedNotebook], config: GradeConfig, problems: list[str]) -> list[_Notebook]:
    found, claimed = [], {}
    for item in loaded:
        if item.notebook is None:
            continue
        prepared = prepare(item.notebook, config)
        exercises = {e: cells for e, cells in notebooks.solution_cells(prepared.nb).items() if e in EXERCISES}
        if not exercises:
            problems.append(_("{file} has no exercise cells (none of the template's \"Exercise `...`\" cells this "
                              "course knows; start from the template and keep its exercise cells)").format(
                file=item.path.name))
            continue
        for exercise in list(exercises):
            if exercise in claimed:
                problems.append(_("exercise {exercise} appears in both {first} and {second}; {first} is graded")
                                .format(exercise=exercise, first=claimed[exercise], second=item.path.name))
                del exercises[exercise]
            else:
                claimed[exercise] = item.path.name
        for exercise, cells in exercises.items():
            if len(cells) > 1:
                problems.append(_("{file}: the cell of exercise {exercise} appears {n} times; the last one counts")
                                .format(file=item.path.name, exercise=exercise, n=len(cells)))
        key = f"nb{len(found)}"
        found.append(_Notebook(key, item, prepared.nb, prepared, exercises, notes=prepared.notes))
        problems += [f"{item.path.name}: {note}" for note in prepared.notes]
    return found


def _executed_names(found: list[_Notebook]) -> dict[str, str]:
    """A file name per notebook for its executed copy: safe, short, and unique in the submission
    (two notebooks of one submission may share a name in different subfolders)."""
    names, taken = {}, set()
    for nb in found:
        stem = safe_name(nb.loaded.path.stem)[:80]
        name = f"{stem}.executed.ipynb"
        if name.lower() in taken:
            name = f"{stem}-{nb.key}.executed.ipynb"
        taken.add(name.lower())
        names[nb.key] = name
    return names


def _gate(exercise: str, nb: _Notebook) -> str | None:
    """Why this exercise cannot be graded from this run of its notebook, or None."""
    cell = nb.exercises[exercise][-1]
    run = nb.execution
    if cell in run.ran_ok:
        return None
    if run.failed_cell == cell:
        return _("Not graded: the exercise's own cell in {file} failed: {failure}.").format(
            file=nb.loaded.path.name, failure=run.failure)
    return _("Not graded: {file} stopped before the cell of exercise `{exercise}` ran: {failure}.").format(
        file=nb.loaded.path.name, exercise=exercise, failure=run.failure or _("execution did not reach it"))


def grade_submission(path: Path | PackedSubmission, config: GradeConfig, reference: dict, judge,
                     slots: threading.Semaphore | None = None, name: str | None = None) -> SubmissionResult:
    """`path`: the submission's notebook or folder, or its files packed elsewhere (load.pack_submission).
    `judge`: the run's judge (grader.judge.client.Judge), which measures what was built.
    `name`: the submission's result folder in --out (unique in the run; default: from the path).
    `slots` (shared by a whole run, config.jobs of them) bounds how many processes doing the
    work (a notebook's kernel, a builder, a measurement) run at once: --jobs is cores."""
    slots = slots or threading.BoundedSemaphore(config.jobs)
    if Sandbox.stopping:  # the run was interrupted: start nothing new
        raise KeyboardInterrupt
    start = time.monotonic()
    submission = unpack_submission(path) if isinstance(path, PackedSubmission) else load_submission(path)
    name = name or submission.name
    result = SubmissionResult(name, problems=list(submission.problems))
    out_dir = config.out / name
    out_dir.mkdir(parents=True, exist_ok=True)
    if config.run_dir is not None:
        workdir = new_workdir(config.run_dir, name)
    else:  # Short and ASCII: the kernel's unix sockets live in it, and their paths may not pass 107 bytes.
        workdir = Path(tempfile.mkdtemp(prefix=f"grade-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)[:24]}-"))
    sandbox = Sandbox(config.max_memory_mb, config.isolate_network, workdir, config.private_paths,
                      data_dirs=(config.mnist_dir,) if config.mnist_dir else ())
    deadline = start + config.submission_timeout
    forks = None
    try:
        # One fork server per submission, in its sandbox: TensorFlow imported once for its kernels and builder.
        if config.fork_server and sandbox.mode == "bwrap" and not Sandbox.stopping:
            forks = ForkServer(sandbox, workdir, config.mnist_dir)
        found = _find_notebooks(submission.notebooks, config, result.problems)
        programs = {nb.key: extract.program(notebooks.code_sources(nb.nb)) for nb in found}
        program_of = {e: nb.key for nb in found for e in nb.exercises}
        tasks = tasks_for(list(program_of), program_of)
        executed_names = _executed_names(found)
        measured: dict = {}
        check_error: list[BaseException] = []

        def check() -> None:
            try:  # the builder takes a slot itself, once TensorFlow is imported
                built = run_builds(programs, tasks, workdir, config.timeout, sandbox, slots, judge.provided, forks)
                measured.update(measure(built, tasks, judge, config.timeout, slots))
            except BaseException as error:  # noqa: BLE001 - raised again below, in this thread
                check_error.append(error)

        def run(nb: _Notebook) -> None:
            with slots:
                if Sandbox.stopping:
                    raise KeyboardInterrupt
                run_dir = workdir / nb.key
                run_dir.mkdir()
                if needs_provided(nb.exercises):
                    copy_provided(judge, run_dir)
                nb.execution = execute(nb.nb, run_dir, config.timeout, sandbox, config.mnist_dir,
                                       nb.prepared.cell_name, deadline, forks)
                handed_in = measure_handins(run_dir, nb.exercises, judge, config.timeout)
                for outcome in handed_in.values():
                    if outcome.status == "not_handed_in" and nb.execution.failure:
                        outcome.message += _("; the notebook stopped early: {failure}").format(
                            failure=nb.execution.failure)
                measured.update(handed_in)
            nbformat.write(nb.execution.notebook, str(out_dir / executed_names[nb.key]))

        # The checks need only the student's source, and each notebook has a kernel of its own:
        # all of them may run side by side, as many at once as there are free slots.
        checker = threading.Thread(target=check)
        checker.start()
        try:
            with ThreadPoolExecutor(max_workers=config.jobs) as pool:
                list(pool.map(run, found))
        finally:
            checker.join()  # before the sandbox closes and the workdir goes, whatever happened
        result.problems += [_("{file}: {failure}.").format(file=nb.loaded.path.name,
                                                           failure=nb.execution.failure.rstrip(".。")) for nb in found
                            if nb.execution.failure]
        if check_error:
            raise check_error[0]
        by_exercise = {e: nb for nb in found for e in nb.exercises}
        for exercise in EXERCISES:
            nb = by_exercise.get(exercise)
            if nb is None:
                why = f" ({' '.join(result.problems)})" if not found and result.problems else ""
                result.tests += not_graded(exercise, _(
                    "Not graded: the cell of exercise `{exercise}` (the template's cell under the heading "
                    "\"Exercise `{exercise}`\", where {function} is defined) was not found in the submission{why}.")
                    .format(exercise=exercise, function=EXERCISES[exercise].function, why=why))
            elif (reason := _gate(exercise, nb)) is not None:
                result.tests += not_graded(exercise, reason)
            else:
                result.tests += judge_exercise(exercise, measured, reference)
        try:  # a courtesy: results.json must not depend on it
            write_feedback_html(result, [(nb.loaded.path.name, nb.execution.notebook, nb.exercises)
                                         for nb in found if nb.execution is not None],
                                out_dir / "feedback.html")
        except Exception as error:  # noqa: BLE001
            result.problems.append(_("the feedback page could not be written: {error}").format(error=error))
        if forks is not None and forks.failure:
            result.notes.append(f"{forks.failure}; its kernels and builder ran as processes of their own")
    finally:
        if forks is not None:
            forks.close()
        sandbox.close()
        shutil.rmtree(workdir, ignore_errors=True)
    result.execution_time = time.monotonic() - start
    return result

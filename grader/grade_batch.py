"""Grade many submissions: the reference once, the submissions in parallel, the reports at the end."""
from __future__ import annotations

import dataclasses
import json
import tempfile
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from .checks import not_graded, reference_outcomes
from .config import GradeConfig
from .exercises import EXERCISES
from .grade import grade_submission
from .load import submission_name
from .report import print_table, write_grades_csv, write_results_json
from .results import SubmissionResult
from .sandbox import Sandbox, sandbox_warnings


INTERNAL_ERROR = "internal grader error"


def _finished(path: Path, out: Path) -> bool:
    """Has a result that --resume may keep: one the grader did not fail on."""
    try:
        return INTERNAL_ERROR not in json.loads((out / submission_name(path) / "results.json").read_text())["output"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _grade_safely(path: Path, config: GradeConfig, reference, slots) -> SubmissionResult:
    try:
        return grade_submission(path, config, reference, slots)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # noqa: BLE001 - a grader bug must not cost the other submissions
        if Sandbox.stopping:  # interrupted: this submission's work was cut short on purpose, not a bug
            raise KeyboardInterrupt from None
        result = SubmissionResult(submission_name(path), problems=[f"{INTERNAL_ERROR}: {error!r}"])
        for exercise in EXERCISES:
            result.tests += not_graded(exercise, "Not graded: the grader failed on this submission "
                                                  "(please report it): " + repr(error)[:200])
        traceback.print_exc()
        return result


def _progress(console: Console, total: int) -> Progress | None:
    """A live bar on a terminal; None (plain lines) anywhere else, such as CI logs."""
    if not console.is_terminal:
        return None
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[failed]} with problems"), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(), console=console)
    progress.add_task("grading", total=total, failed=0)
    progress.start()
    return progress


def grade_all(paths: list[Path], config: GradeConfig, console: Console | None = None) -> list[SubmissionResult]:
    console = console or Console(stderr=True)
    config = dataclasses.replace(config, submissions=tuple(paths))
    config.out.mkdir(parents=True, exist_ok=True)
    for warning in sandbox_warnings(config.isolate_network, config.private_paths):
        console.print(f"[yellow]note:[/yellow] {warning}", highlight=False)
    with tempfile.TemporaryDirectory(prefix="ch11-reference-") as scratch:
        with console.status("Preparing the reference results (cached after the first run)..."):
            sandbox = Sandbox(config.max_memory_mb, config.isolate_network, Path(scratch),
                              config.private_paths)
            try:
                reference, cached = reference_outcomes(config.budget, config.cache_dir, Path(scratch),
                                                       config.timeout, sandbox)
            finally:
                sandbox.close()
    console.print(f"reference results: {'from the cache' if cached else 'computed and cached'}", highlight=False)
    if config.resume:
        done = [p for p in paths if _finished(p, config.out)]
        console.print(f"--resume: {len(done)} of {len(paths)} submissions already have results", highlight=False)
        paths = [p for p in paths if p not in done]
    results = []
    pool = ThreadPoolExecutor(max_workers=config.jobs)
    progress = _progress(console, len(paths))
    slots = threading.BoundedSemaphore(config.jobs)  # --jobs: processes running student code at once
    futures: dict = {}
    try:
        for path in paths:  # one by one, so that an interrupt here still knows what was started
            futures[pool.submit(_grade_safely, path, config, reference, slots)] = path
        for future in as_completed(futures):
            result = future.result()
            write_results_json(result, config.out)  # at once and atomically: an interrupted run keeps it
            line = (f"graded {result.name}: {result.score:g}/{result.max_score:g} "
                    f"in {result.execution_time:.0f}s")
            failed = not result.tests or bool(result.problems)
            if progress:
                progress.console.print(line, highlight=False)
                progress.update(0, advance=1, failed=progress.tasks[0].fields["failed"] + failed)
            else:
                console.print(line, highlight=False)
            results.append(result)
        if progress:
            progress.stop()
    except KeyboardInterrupt:
        if progress:
            progress.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        Sandbox.close_all()  # end the running kernels and workers, so the threads finish quickly
        # Let the running threads end now: once the interpreter is shutting down they could not
        # even start their cleanup (new futures are refused there).
        # (Cancelled futures are left out: wait() would never count them as done.)
        wait([f for f in futures if not f.cancelled()], timeout=60)
        if results:
            write_grades_csv(results, config.out)
        raise
    pool.shutdown()
    results.sort(key=lambda r: r.name)
    write_grades_csv(results, config.out)
    print_table(results)
    return results

"""Grade many submissions: the reference once, the submissions in parallel, the reports at the end."""
from __future__ import annotations

import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console

from .check import not_graded, reference_outcomes
from .config import GradeConfig
from .exercises import EXERCISES
from .grade import grade_submission
from .load import submission_name
from .report import print_table, write_grades_csv, write_results_json
from .results import SubmissionResult


def _grade_safely(path: Path, config: GradeConfig, reference) -> SubmissionResult:
    try:
        return grade_submission(path, config, reference)
    except Exception as error:  # noqa: BLE001 - a grader bug must not cost the other submissions
        result = SubmissionResult(submission_name(path), problems=[f"internal grader error: {error!r}"])
        for exercise in EXERCISES:
            result.tests += not_graded(exercise, "Not graded: the grader failed on this submission "
                                                  "(please report it): " + repr(error)[:200])
        traceback.print_exc()
        return result


def grade_all(paths: list[Path], config: GradeConfig, console: Console | None = None) -> list[SubmissionResult]:
    console = console or Console(stderr=True)
    config.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ch11-reference-") as scratch:
        with console.status("Preparing the reference results (cached after the first run)..."):
            reference, cached = reference_outcomes(config.budget, config.cache_dir, Path(scratch),
                                                   config.timeout, config.max_memory_mb)
    console.print(f"reference results: {'from the cache' if cached else 'computed and cached'}", highlight=False)
    results = []
    with ThreadPoolExecutor(max_workers=config.jobs) as pool:
        futures = {pool.submit(_grade_safely, p, config, reference): p for p in paths}
        for future in as_completed(futures):
            result = future.result()
            write_results_json(result, config.out)
            console.print(f"graded {result.name}: {result.score:g}/{result.max_score:g} "
                          f"in {result.execution_time:.0f}s", highlight=False)
            results.append(result)
    results.sort(key=lambda r: r.name)
    write_grades_csv(results, config.out)
    print_table(results)
    return results

"""The probe worker: `python -m grader.probe JOB.json OUTDIR`.

Runs in its own process, next to the student's code, so nothing here decides a
verdict: for each task it loads the student's definitions, runs one check's
probe and writes the raw values it got to OUTDIR/<task number>.npz (arrays only, never
pickles), and one line per event to OUTDIR/progress.jsonl, so the grader can
tell which task a crash or a hang happened in.
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from grader.errors import summarize


def _log(progress, **event) -> None:
    progress.write(json.dumps(event) + "\n")
    progress.flush()


def _load_definitions(statements: list[str]) -> dict:
    namespace: dict = {"__name__": "__main__"}
    for statement in statements:
        try:
            exec(compile(statement, "<your notebook>", "exec"), namespace)  # noqa: S102 - sandboxed worker
        except Exception:  # noqa: BLE001 - a setup line that fails here also failed or was harmless
            pass
    return namespace


def _describe_error(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<your notebook>"]
    where = f" (in your code: {frames[-1].name}, line {frames[-1].lineno} of the definition)" if frames else ""
    called = getattr(error, "grader_called_with", None)
    return (f"(called with {called}) " if called else "") + summarize(type(error).__name__, str(error)) + where


def _as_arrays(values: dict) -> dict[str, np.ndarray]:
    arrays = {}
    for key, value in values.items():
        array = np.asarray(value)
        arrays[key] = array.astype(str) if array.dtype == object else array
    return arrays


def main(job_path: str, outdir: str) -> None:
    job = json.loads(Path(job_path).read_text())
    out = Path(outdir)
    with open(out / "progress.jsonl", "a") as progress:
        _log(progress, event="ready")
        from grader import harness  # TensorFlow import, determinism settings
        from grader.exercises import EXERCISES, ProbeContext
        context = ProbeContext(budget=harness.Budget(**job["budget"]), workdir=str(out))
        # TensorFlow is imported: wait for the grader's go (a free --jobs slot) before any student code.
        _log(progress, event="imported")
        while not (out / "go").exists():
            time.sleep(0.02)
        for number, task in enumerate(job["tasks"]):
            exercise = EXERCISES[task["exercise"]]
            check = exercise.check(task["check"])
            _log(progress, event="start", task=task["id"])
            namespace = _load_definitions(job["programs"][task["program"]])
            fn = namespace.get(exercise.function)
            if not callable(fn):
                _log(progress, event="done", task=task["id"], status="missing",
                     message=f"no function named {exercise.function} is defined")
                continue
            try:
                values = check.probe(fn, context)
            except NotImplementedError:
                _log(progress, event="done", task=task["id"], status="not_implemented",
                     message=f"{exercise.function} raises NotImplementedError (the template's stub)")
                continue
            except Exception as error:  # noqa: BLE001 - the student's error, reported to the student
                _log(progress, event="done", task=task["id"], status="raised", message=_describe_error(error))
                continue
            np.savez(out / f"{number}.npz", **_as_arrays(values))
            _log(progress, event="done", task=task["id"], status="ok", file=f"{number}.npz")


if __name__ == "__main__":
    main(*sys.argv[1:3])

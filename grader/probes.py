"""Run probe tasks in worker processes (grader.probe) and collect what they found.

A worker that hangs, crashes or exits in the middle of a task costs only that
task: it is recorded with the reason, and a new worker takes the rest.
"""
from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .sandbox import Sandbox, describe_exit, kill_group, start_python

STARTUP_SECONDS = 120.0  # importing TensorFlow on a busy machine


@dataclass
class ProbeOutcome:
    status: str            # ok | not_implemented | missing | raised | timeout | crashed
    message: str = ""
    values: dict | None = None


def _read_events(progress: Path) -> list[dict]:
    if not progress.exists():
        return []
    events = []
    for line in progress.read_text(errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line the student's code wrote, or a torn write: not ours
    return events


def _load_values(path: Path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as npz:  # never unpickle what student code could write
            return {key: npz[key] for key in npz.files}
    except Exception:  # noqa: BLE001 - a damaged file is a failed probe
        return None


def _run_worker(programs, tasks, budget, workdir: Path, timeout: float, sandbox: Sandbox,
                outcomes: dict[str, ProbeOutcome], slots: threading.Semaphore | None) -> list[dict]:
    """One worker over `tasks`; fills `outcomes`; returns the tasks it never started.

    The worker imports TensorFlow first, outside the --jobs slots (no student code runs yet), so
    the import overlaps the notebooks; it takes a slot before it loads the student's code."""
    out = Path(tempfile.mkdtemp(prefix="probe-", dir=workdir))
    job = out / "job.json"
    job.write_text(json.dumps({"programs": programs, "tasks": tasks, "budget": budget}))
    process = start_python(["-m", "grader.probe", str(job), str(out)], out, sandbox, out / "worker.log")
    progress = out / "progress.jsonl"
    with contextlib.ExitStack() as held:
        def take_slot() -> None:  # released when this worker is done, whatever happened
            if slots is not None:
                held.enter_context(slots)
        return _watch(process, out, progress, tasks, timeout, outcomes, take_slot)


def _watch(process, out: Path, progress: Path, tasks, timeout: float, outcomes: dict[str, ProbeOutcome],
           take_slot) -> list[dict]:
    current, since, started, done, going = None, time.monotonic(), set(), set(), False
    while True:
        finished = process.poll() is not None
        for event in _read_events(progress):
            if event.get("event") == "imported" and not going:
                take_slot()
                (out / "go").touch()
                going, since = True, time.monotonic()  # waiting for a slot is not start-up time
            elif event.get("event") == "start" and event.get("task") not in started:
                current, since = event["task"], time.monotonic()
                started.add(current)
            elif event.get("event") == "done" and event.get("task") not in done:
                done.add(event["task"])
                status = event.get("status", "crashed")
                values = _load_values(out / Path(str(event.get("file", ""))).name) if status == "ok" else None
                if status == "ok" and values is None:
                    status, event["message"] = "crashed", "the probe's results were damaged"
                outcomes[event["task"]] = ProbeOutcome(status, event.get("message", ""), values)
                current = None
        if finished:
            break
        limit = timeout if current else STARTUP_SECONDS + timeout
        if time.monotonic() - since > limit:
            kill_group(process)
            if current:
                outcomes[current] = ProbeOutcome("timeout", f"did not finish within {timeout:g} s")
                done.add(current)
            break
        time.sleep(0.05)
    if current and current not in done:
        outcomes[current] = ProbeOutcome("crashed", describe_exit(process.returncode))
        done.add(current)
    if process.returncode not in (0, None) and not started:
        for task in tasks:  # the worker died before any task: nothing to retry
            outcomes[task["id"]] = ProbeOutcome("crashed", describe_exit(process.returncode))
        return []
    return [task for task in tasks if task["id"] not in started]


def run_probes(programs: dict[str, list[str]], tasks: list[dict], budget: dict, workdir: Path,
               timeout: float, sandbox: Sandbox, slots: threading.Semaphore | None = None
               ) -> dict[str, ProbeOutcome]:
    """tasks: [{"id", "exercise", "check", "program"}] -> outcome per task id. `slots`: the run's
    --jobs slots, one of which a worker holds while it runs student code."""
    outcomes: dict[str, ProbeOutcome] = {}
    remaining = list(tasks)
    while remaining and not Sandbox.stopping:
        remaining = _run_worker(programs, remaining, budget, workdir, timeout, sandbox, outcomes, slots)
    for task in tasks:
        outcomes.setdefault(task["id"], ProbeOutcome("crashed", "the probe worker stopped early"))
    return outcomes

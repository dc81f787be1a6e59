"""Run the builders (grader.builder) in the sandbox and collect what they built.

The builder writes frames to a pipe the grader owns; every frame is hostile input
(size-capped, read with deadlines). A builder that hangs, crashes or exits in the
middle of a task costs only that task (and the other checks of the same function, when
it hung: calling an endless function again would only cost the same time again); a new
builder takes the rest.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .forkserver import ForkServer, ForkServerError
from .frames import FrameError, Reader
from .i18n import _
from .sandbox import Sandbox, describe_exit, kill_group, start_python
from .untrusted_folder import copy_tree, write_new

STARTUP_SECONDS = 120.0  # importing TensorFlow on a busy machine
MAX_TASK_BYTES = 128 << 20


@dataclass
class Built:
    status: str            # ok | not_implemented | missing | raised | timeout | crashed
    message: str = ""
    info: dict = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)


def _start(folder: Path, job: Path, write_end: int, go_read: int, sandbox: Sandbox, forks: ForkServer | None):
    """The builder: forked from the submission's fork server (TensorFlow already imported) when
    there is one that can fork, else a process of its own."""
    if forks is not None and forks.ready():
        try:
            return forks.builder(folder, job, write_end, go_read)
        except ForkServerError:
            pass
    return start_python(["-m", "grader.builder", str(job), str(write_end), str(go_read)], folder, sandbox,
                        folder / "builder.log", kind="builder", pass_fds=(write_end, go_read))


def _run_builder(programs, tasks, workdir: Path, timeout: float, sandbox: Sandbox,
                 outcomes: dict[str, Built], slots: threading.Semaphore | None, provided,
                 forks: ForkServer | None = None) -> list[dict]:
    """One builder over `tasks`; fills `outcomes`; returns the tasks it never started.

    It imports TensorFlow first, outside the --jobs slots (no student code runs yet), so the
    import overlaps the notebooks; it takes a slot before it loads the student's code."""
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=workdir))
    job = folder / "job.json"
    try:
        write_new(folder, job.name, json.dumps({"programs": programs, "tasks": tasks, "workdir": str(folder)}).encode())
    except OSError as error:
        return _cannot_write(tasks, outcomes, error, sandbox)
    read_end, write_end = os.pipe()  # frames from the builder
    go_read, go_write = os.pipe()    # the grader's go, once it holds a slot
    try:
        process = _start(folder, job, write_end, go_read, sandbox, forks)
    finally:
        os.close(write_end)
        os.close(go_read)
    try:
        if provided is not None:  # what the judge gives every builder (the pretrained checkpoint); copied
            try:  # while it imports TensorFlow, before its go
                copy_tree(provided(), folder, "provided")
            except OSError as error:
                return _cannot_write(tasks, outcomes, error, sandbox)
        with contextlib.ExitStack() as held:
            def go() -> None:  # the slot is released when this builder is done, whatever happened
                if slots is not None:
                    held.enter_context(slots)
                try:
                    os.write(go_write, b"go\n")
                except OSError:
                    pass  # it died meanwhile: the reader sees the end
            return _watch(process, Reader(read_end), tasks, timeout, outcomes, go)
    finally:
        kill_group(process)
        os.close(read_end)
        os.close(go_write)


def _watch(process, reader: Reader, tasks, timeout: float, outcomes: dict[str, Built], go) -> list[dict]:
    known = {t["id"] for t in tasks}
    current, started, going = None, set(), False
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            header, blobs = reader.read(deadline)
        except TimeoutError:
            if current:
                outcomes[current] = Built("timeout", _("did not finish within {seconds} s").format(seconds=f"{timeout:g}"))
                _skip_hung(current, tasks, outcomes, timeout)
            break
        except (EOFError, FrameError):
            break
        event, task = header.get("event"), header.get("task")
        if event == "imported" and not going:
            go()
            going, deadline = True, time.monotonic() + timeout
        elif event == "start" and task in known and task not in started and task not in outcomes:
            current, deadline = task, time.monotonic() + timeout
            started.add(task)
        elif event == "done" and task == current:
            status = header.get("status") if header.get("status") in ("ok", "not_implemented", "missing",
                                                                       "raised") else "crashed"
            info = header.get("info") if isinstance(header.get("info"), dict) else {}
            outcomes[task] = Built(status, str(header.get("message", ""))[:1000], info, blobs)
            current, deadline = None, time.monotonic() + timeout
    kill_group(process)
    if current and current not in outcomes:
        outcomes[current] = Built("crashed", describe_exit(process.returncode or -9))
    if not started:
        for task in tasks:  # the builder died before any task: nothing to retry
            outcomes.setdefault(task["id"], Built("crashed", describe_exit(process.returncode or -9)))
        return []
    return [task for task in tasks if task["id"] not in started and task["id"] not in outcomes]


def _cannot_write(tasks, outcomes: dict[str, Built], error: OSError, sandbox: Sandbox) -> list[dict]:
    """The grader could not write into the work folder: the student's code had filled it, or
    something was where the grader writes (it only writes new files, through no link): a process
    the student's code left running. Nothing to retry."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        why = _("the grader could not write into your work folder: your code had filled it "
                "(it holds {size} MiB)").format(size=sandbox.disk_mb)
    else:
        why = _("the grader could not write into your work folder: a process your code left running had put "
                "something where the grader writes")
    for task in tasks:
        outcomes.setdefault(task["id"], Built("crashed", why))
    return []


def _skip_hung(hung: str, tasks, outcomes: dict[str, Built], timeout: float) -> None:
    """An endless function hangs in every check of it: say so once per check, without waiting again."""
    exercise = next(t["exercise"] for t in tasks if t["id"] == hung)
    for task in tasks:
        if task["exercise"] == exercise and task["id"] not in outcomes:
            outcomes[task["id"]] = Built("timeout", _("was not run: another check of the same function did not "
                                                      "finish within {seconds} s").format(seconds=f"{timeout:g}"))


def run_builds(programs: dict[str, list[str]], tasks: list[dict], workdir: Path, timeout: float,
               sandbox: Sandbox, slots: threading.Semaphore | None = None, provided=None,
               forks: ForkServer | None = None) -> dict[str, Built]:
    """tasks: [{"id", "exercise", "check", "function", "program"}] -> what was built, per task id.
    `provided`: a function giving a folder to copy into each builder's folder as `provided/` (read by
    build functions); called once the builder is starting, so that it may wait (for the judge).
    `forks`: the submission's fork server, which the builders are forked from."""
    outcomes: dict[str, Built] = {}
    remaining = list(tasks)
    while remaining and not Sandbox.stopping:
        remaining = _run_builder(programs, remaining, workdir, timeout, sandbox, outcomes, slots, provided, forks)
    for task in tasks:
        outcomes.setdefault(task["id"], Built("crashed", _("the builder stopped early")))
    return outcomes

"""The builder: `python -m grader.builder JOB.json FD GO_FD`, run in the sandbox next to the student's code.

Student code only *builds* here: for each task it loads the student's definitions and calls
the check's build function (grader/exercises/<id>/build.py), which calls the student's
function on the grader's scaffold and exports what it built (graph definitions, recorded
session runs, names). Nothing measured here is believed: the judge, where no student code
runs, verifies and measures what was built.

Frames go to file descriptor FD (a pipe the grader owns): an 8-byte length, a JSON header,
then the header's blobs. Student code can write to that pipe too; the grader treats every
frame as hostile input (size-capped, verified by the judge).
"""
from __future__ import annotations

import importlib
import json
import os
import struct
import sys
import traceback

from grader.i18n import _


def send(fd: int, header: dict, blobs: dict[str, bytes] | None = None) -> None:
    blobs = blobs or {}
    header = {**header, "blobs": {k: len(v) for k, v in blobs.items()}}
    data = json.dumps(header).encode()
    frame = struct.pack(">Q", len(data)) + data + b"".join(blobs.values())
    view = memoryview(frame)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _short(error: BaseException, limit: int = 300) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text[:limit]


def _describe_error(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<your notebook>"]
    where = _(" (in your code: {function}, line {line} of the definition)").format(
        function=frames[-1].name, line=frames[-1].lineno) if frames else ""
    called = getattr(error, "grader_called_with", None)
    return (_("(called with {arguments}) ").format(arguments=called) if called else "") + _short(error) + where


def _load_definitions(statements: list[str]) -> dict:
    namespace: dict = {"__name__": "__main__"}
    for statement in statements:
        try:
            exec(compile(statement, "<your notebook>", "exec"), namespace)  # noqa: S102 - sandboxed
        except Exception:  # noqa: BLE001 - a setup line that fails here also failed or was harmless
            pass
    return namespace


def main(job_path: str, fd_text: str, go_text: str) -> None:
    fd = int(fd_text)
    with open(job_path) as f:
        job = json.load(f)
    import grader.graphs  # noqa: F401 - the TensorFlow import, before any student code
    send(fd, {"event": "imported"})
    with os.fdopen(int(go_text), "rb") as go:  # the grader's go: it holds a free --jobs slot
        if go.readline().strip() != b"go":
            return
    for task in job["tasks"]:
        send(fd, {"event": "start", "task": task["id"]})
        build = importlib.import_module(f"grader.exercises.{task['exercise']}.build").BUILDS[task["check"]]
        namespace = _load_definitions(job["programs"][task["program"]])
        fn = namespace.get(task["function"])
        if not callable(fn):
            send(fd, {"event": "done", "task": task["id"], "status": "missing",
                      "message": _("no function named {function} is defined").format(function=task["function"])})
            continue
        try:
            info, blobs = build(fn, job["workdir"])
        except NotImplementedError:
            send(fd, {"event": "done", "task": task["id"], "status": "not_implemented",
                      "message": _("{function} raises NotImplementedError (the template's stub)").format(
                          function=task["function"])})
            continue
        except Exception as error:  # noqa: BLE001 - the student's error, reported to the student
            send(fd, {"event": "done", "task": task["id"], "status": "raised", "message": _describe_error(error)})
            continue
        send(fd, {"event": "done", "task": task["id"], "status": "ok", "info": info}, blobs)


if __name__ == "__main__":  # a builder of its own (no fork server, whose forks are already confined)
    from grader.nolinks import forbid
    forbid()  # no link, named pipe or device node from here on
    main(*sys.argv[1:4])

"""Collect the trained models a notebook handed in (grader.save_for_grading wrote them in the kernel's
folder) and have the judge measure them.

Everything in that folder was written by student code: hostile input. Each file is opened without
following a link, must be a regular file, and is read up to a size cap; what does not fit is refused
with a reason."""
from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

from .exercises import EXERCISES
from .i18n import _
from .handin import FOLDER

CAPS = {"graph.pb": 64 << 20, "values.npz": 64 << 20, "tensors.json": 1 << 20}


class Missing(Exception):
    """No usable hand-in; the message says why, for the student."""


def _open_dir(parent_fd: int | None, name: str) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    return os.open(name, flags, dir_fd=parent_fd) if parent_fd is not None else os.open(name, flags)


def _read(dir_fd: int, name: str, cap: int) -> bytes:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError as error:
        raise Missing((_("{file} is missing") if error.errno == errno.ENOENT else
                       _("{file} could not be opened (a link or not a file)")).format(file=name)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Missing(_("{file} is not a file").format(file=name))
        if info.st_size > cap:
            raise Missing(_("{file} is {size} MiB, over the {limit} MiB limit").format(
                file=name, size=info.st_size >> 20, limit=cap >> 20))
        chunks, size = [], 0
        while size <= cap and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:
            raise Missing(_("{file} is over the {limit} MiB limit").format(file=name, limit=cap >> 20))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_handin(run_dir: Path, name: str) -> tuple[dict, dict[str, bytes]]:
    """(tensors.json as a dict, {"graph": ..., "values": ...}) of the model handed in as `name`."""
    fds = []
    try:
        try:
            fds.append(_open_dir(None, str(run_dir)))
            fds.append(_open_dir(fds[-1], FOLDER))
            fds.append(_open_dir(fds[-1], name))
        except OSError:
            raise Missing(_("no model was handed in as \"{name}\" (grader.save_for_grading(\"{name}\", ...) did not "
                            "run)").format(name=name)) from None
        files = {file: _read(fds[-1], file, cap) for file, cap in CAPS.items()}
    finally:
        for fd in fds:
            os.close(fd)
    try:
        info = json.loads(files["tensors.json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Missing(_("tensors.json could not be read")) from None
    if not isinstance(info, dict):
        raise Missing(_("tensors.json could not be read"))
    return info, {"graph": files["graph.pb"], "values": files["values.npz"]}


def handin_checks(exercises) -> list[tuple[str, object]]:
    """(exercise id, check) of every check that measures a handed-in model, for these exercises."""
    return [(e, c) for e in exercises for c in EXERCISES[e].checks if c.handin]


def measure_handins(run_dir: Path, exercises, judge, timeout: float):
    """{task id: Outcome} for the handed-in models of `exercises`, measured by the judge."""
    from .checks import Outcome, task_id
    outcomes, read = {}, {}
    for exercise, check in handin_checks(exercises):
        if check.handin not in read:
            try:
                read[check.handin] = read_handin(run_dir, check.handin)
            except Missing as why:
                read[check.handin] = str(why)
        got = read[check.handin]
        if isinstance(got, str):
            outcomes[task_id(exercise, check.key)] = Outcome("not_handed_in", got)
            continue
        m = judge.measure(exercise, check.key, got[0], got[1], timeout)
        outcomes[task_id(exercise, check.key)] = Outcome(m.status, m.message, m.values)
    return outcomes


def needs_provided(exercises) -> bool:
    """Does a notebook with these exercises restore the grader's exercise-8 model?"""
    return "transfer_mnist" in exercises


def copy_provided(judge, run_dir: Path) -> None:
    """The judge's exercise-8 model, where notebook 8 restores it from (the kernel's folder)."""
    from .exercises.transfer_mnist.model import PROVIDED
    from .untrusted_folder import copy_tree
    copy_tree(judge.provided() / PROVIDED, run_dir, PROVIDED)

"""The grader's writes into a folder that a submission's processes can write in.

A process the student left running can replace any name there between the grader making a folder
and writing into it: with a link to a file of the grader's machine (which a plain open would
overwrite), or a named pipe (which a plain open would wait on forever). Every write here starts
from a folder opened without following a link, and creates its file new, without following one
either; a name already taken fails the write (the submission's own grading suffers, nothing else).
Sandboxed processes cannot make links or pipes at all where Landlock works (grader/nolinks.py):
this holds where it does not.

`folder` arguments must be the submission's folder or a folder made in it by the grader: the
submission's folder itself is bound into its sandbox, so its processes cannot rename or replace it.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1 << 20


def _open_folder(path: Path, dir_fd: int | None = None) -> int:
    return os.open(path, _FOLDER, dir_fd=dir_fd)


def _new_file(name: str, parent: int):
    """The file `name`, made new in the folder `parent` (a descriptor), open for writing."""
    return os.fdopen(os.open(name, _NEW_FILE, 0o644, dir_fd=parent), "wb")


def write_new(folder: Path, name: str, data: bytes) -> None:
    """A new file `name` in `folder` holding `data`."""
    parent = _open_folder(folder)
    try:
        with _new_file(name, parent) as out:
            out.write(data)
    finally:
        os.close(parent)


def open_log(path: Path) -> int:
    """A descriptor appending to the log `path` (made if missing), refused unless a regular file."""
    parent = _open_folder(path.parent)
    try:
        fd = os.open(path.name, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC, 0o600, dir_fd=parent)
    finally:
        os.close(parent)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path.name} is not a regular file")
    return fd


def copy_tree(source: Path, folder: Path, name: str) -> None:
    """A copy of the grader's folder `source` as the new folder `name` in `folder`."""
    parent = _open_folder(folder)
    try:
        _copy_into(Path(source), parent, name)
    finally:
        os.close(parent)


def _copy_into(source: Path, parent: int, name: str) -> None:
    os.mkdir(name, 0o755, dir_fd=parent)
    target = _open_folder(Path(name), dir_fd=parent)  # the folder just made, unless already replaced
    try:
        for entry in os.scandir(source):
            if entry.is_dir(follow_symlinks=False):
                _copy_into(Path(entry.path), target, entry.name)
            elif entry.is_file(follow_symlinks=False):
                with open(entry.path, "rb") as src, _new_file(entry.name, target) as out:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
    finally:
        os.close(target)

"""The judge process: `python -m grader.judge.server SOCKET SCRATCH BUDGET_JSON MAX_MEMORY_MB PRIVATE_JSON [CACHE]`.

One per grading run. It imports TensorFlow and the data once and never runs student code;
each measurement happens in a child forked for it, with its own time and memory limits, so
one student's graph can neither stall nor crash the judge for the others.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import io
import json
import os
import pickle
import resource
import signal
import shutil
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

from grader.frames import FrameError, Reader, encode
from grader.i18n import _
from grader.graphs import Budget
from grader.judge import pretrained_ready
from grader.judge import training
from grader.judge import imported
from grader.judge.imported import Artifact
from grader.judge.verify import Refused

PR_SET_PDEATHSIG = 1
_EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class Context:
    """What a measurement may use besides the artifact: `scratch` is its own folder, the only place
    it may write (the pretrained checkpoint, which every measurement shares, is read-only to it)."""

    def __init__(self, budget: Budget, scratch: Path, pretrained: str, private: list[str]):
        self.budget, self.scratch, self.pretrained, self.private = budget, scratch, pretrained, private


def _measures() -> tuple[dict, list]:
    """Every exercise's measurements, and the scaffolds they load."""
    found, scaffolds = {}, []
    for folder in sorted(p for p in _EXERCISES.iterdir() if (p / "measure.py").exists()):
        module = importlib.import_module(f"grader.exercises.{folder.name}.measure")
        for check, measure in module.MEASURES.items():
            found[(folder.name, check)] = measure
        scaffolds += getattr(module, "SCAFFOLDS", ())
    return found, scaffolds


def _values_blob(values: dict) -> bytes:
    arrays = {}
    for key, value in values.items():
        array = np.asarray(value)
        arrays[key] = array.astype(str) if array.dtype == object else array
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _limit(max_memory_mb: int, seconds: float) -> None:
    signal.alarm(max(1, int(seconds)))  # the default action ends the process, even inside an op
    used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = used + max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _handle(conn: socket.socket, measures: dict, context: Context, max_memory_mb: int, own: Path) -> None:
    reader = Reader(conn.fileno())
    header, blobs = reader.read(time.monotonic() + 60)
    _limit(max_memory_mb, float(header.get("timeout", 300)))
    os.chdir(own)
    _confine(str(own), context.private)  # a layer of its own on the server's: writes only in `own`
    context = Context(context.budget, own, context.pretrained, context.private)
    measure = measures.get((header.get("exercise"), header.get("check")))
    try:
        if measure is None:
            raise Refused("no such check")
        values = measure(Artifact(header.get("info") or {}, blobs), context)
        reply = encode({"status": "ok"}, {"values": _values_blob(values)})
    except Refused as why:
        reply = encode({"status": "refused", "message": str(why)[:600]})
    except MemoryError:
        reply = encode({"status": "refused", "message": _("the graph your function built ran out of memory")})
    except Exception as error:  # noqa: BLE001 - the judge's own bug, or a graph it could not handle
        traceback.print_exc()
        reply = encode({"status": "error", "message": _("the judge could not measure it ({error})").format(
            error=type(error).__name__)})
    conn.sendall(reply)


def _confine(scratch: str, private: list[str]) -> None:
    """Defence in depth, should an op ever get past the allowlist: Landlock keeps the judge and its
    children from writing outside its folder, reading the private paths, or using TCP."""
    needed = [os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, Path(__file__).resolve().parents[1])]
    private = [p for p in private if not any(n == os.path.realpath(p) or n.startswith(os.path.realpath(p) + "/")
                                             for n in needed)]
    try:
        from grader.sandbox import confine
        confine(scratch, True, private)
    except Exception:  # noqa: BLE001 - no Landlock here: the allowlist still holds
        pass


def _pretrained(budget: Budget, scratch: str, cache: str) -> str:
    """The pretrained models (the reuse exercises' checkpoint, and the exercise-8 model notebook 8
    restores, in exercise_8_model/) every measurement may read: from the cache, or trained now (in a
    child: the pretraining creates a session, never in the process that forks the others) and kept."""
    pretrained = Path(scratch) / "pretrained"
    if cache and pretrained_ready(Path(cache)):
        shutil.copytree(cache, pretrained)
        return str(pretrained / "model.ckpt")
    pid = os.fork()
    if pid == 0:
        try:
            training.pretrain(budget, str(pretrained / "model.ckpt"))
            training.pretrain_deep(budget, str(pretrained / "exercise_8_model" / "model"))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    if cache:
        staging = Path(f"{cache}.tmp-{os.getpid()}")
        try:
            shutil.copytree(pretrained, staging)
            os.replace(staging, cache)  # atomic: a half-written cache is never read
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return str(pretrained / "model.ckpt")


def _build_scaffolds_apart(scaffolds: list) -> tuple[int, int]:
    """Start building the scaffolds in a child (pid, pipe): building a graph starts TensorFlow's
    graph-runner thread, and a child forked from a process with that thread would wait forever on
    the copy of its pool. It builds while this process loads the data and the pretrained models.
    The child is the judge's own (no student code ran anywhere near it): its pickle is trusted."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            _die_with_parent()
            os.close(read)
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(imported.build_scaffolds(scaffolds), pipe)
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def _scaffolds_built(pid: int, read: int) -> dict:
    with os.fdopen(read, "rb") as pipe:
        try:
            built = pickle.load(pipe)
        except (EOFError, pickle.UnpicklingError):
            built = {}  # the measurements build their own, as before
    os.waitpid(pid, 0)
    return built


def serve(socket_path: str, scratch: str, budget_json: str, max_memory_mb: str, private_json: str = "[]",
          cache: str = "") -> None:
    _die_with_parent()
    parent = os.getppid()
    budget = Budget(**json.loads(budget_json))
    measures, scaffolds = _measures()
    building = _build_scaffolds_apart(scaffolds)
    training.mnist(budget)  # loaded once, shared with every child
    pretrained = _pretrained(budget, scratch, cache)
    private = json.loads(private_json)
    (Path(scratch) / "work").mkdir(exist_ok=True)
    context = Context(budget, Path(scratch), pretrained, private)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(64)
    server.settimeout(0.5)
    imported.keep_scaffolds(_scaffolds_built(*building))
    _confine(scratch, private)
    # What was imported and loaded stays out of the collector's sight: a measurement's child would
    # otherwise walk (and so copy) every page of it at its first collection, ~0.5 CPU s each.
    gc.collect()
    gc.freeze()
    print("ready", flush=True)
    folders: dict[int, Path] = {}  # each measurement's own folder, removed once it has ended
    while os.getppid() == parent:
        try:
            while (ended := os.waitpid(-1, os.WNOHANG)[0]):
                shutil.rmtree(folders.pop(ended, ""), ignore_errors=True)
        except ChildProcessError:
            pass
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        own = Path(tempfile.mkdtemp(prefix="m-", dir=Path(scratch) / "work"))
        pid = os.fork()
        if pid == 0:
            _die_with_parent()
            server.close()
            try:
                _handle(conn, measures, context, int(max_memory_mb), own)
            except (FrameError, EOFError, TimeoutError, OSError):
                pass
            finally:
                os._exit(0)
        folders[pid] = own
        conn.close()


if __name__ == "__main__":
    serve(*sys.argv[1:7])

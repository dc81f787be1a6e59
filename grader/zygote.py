"""The fork server: `python -m grader.zygote FD`, one per submission, inside that submission's sandbox.

Started by the grader (grader/forkserver.py) as the init (PID 1) of the submission's bubblewrap PID
namespace. It imports TensorFlow and the kernel machinery once, while the process still has a single
thread, then forks on request every process that runs the submission's code: a kernel per notebook
and the builder. Each fork starts where a fresh process would be after ~3 s of imports. Nothing is
shared with another submission: each has its own server, sandbox, namespaces and memory.

FD is a SOCK_SEQPACKET socket whose other end the grader holds. One JSON message per request
(file descriptors ride along for the builder), one reply each, in order:

    {"op": "kernel", "cwd", "env", "connection_file"}            -> {"pid"}
    {"op": "builder", "cwd", "env", "job"} + fds [frames, go, modules] -> {"pid"}
    either with "groups": N and N more fds last: the cgroup.procs of the child's own groups to join
    {"op": "status", "pid"}                                     -> {"status": null | returncode}
    {"op": "signal", "pid", "signal"}                           -> {"ok"}

The first message is {"ready": true} (or {"ready": false, "why"}). At the end of the socket (the
grader closed it, or died) the server kills every process of the namespace, reaps them and exits.

As PID 1 it ignores every signal sent from inside the namespace, and it is not dumpable (nor is
the builder): a kernel cannot stop it, trace it, or read its memory and file descriptors.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import socket
import sys

MAX_MESSAGE = 1 << 16
MAX_FDS = 5
_MAX_FD = 4096  # descriptors above are closed too (by range): none is open this high
PR_SET_DUMPABLE = 4


def _dumpable(flag: bool) -> None:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, int(flag), 0, 0, 0)


def _preload() -> None:
    """What every kernel and the builder import: TensorFlow (compat.v1, and the legacy Keras layers
    behind tf.layers), NumPy, ipykernel with what its kernel loads when it starts (the debugger,
    IPython's inspector). Imports only: no graph, session or thread pool, no global state changed."""
    import gc

    import numpy.random  # noqa: F401
    import tensorflow.compat.v1 as tf
    tf.layers.dense, tf.layers.batch_normalization, tf.layers.dropout  # noqa: B018 - loaded lazily, here once
    from ipykernel import debugger, ipkernel, kernelapp  # noqa: F401
    from IPython.core import completerlib, debugger as ipython_debugger, oinspect  # noqa: F401
    gc.collect()
    gc.freeze()  # the imported objects stay out of the collector's sight: children copy fewer pages


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _send(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode())


def _receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, MAX_FDS)
    if not data:
        return None, fds
    return json.loads(data), fds


# --------------------------------------------------------------------------- in the forked child
def _become(request: dict, keep: tuple[int, ...]) -> None:
    """What a fresh process of the sandbox would be: its own session, folder and environment, the
    signals' default actions, fresh random seeds, no descriptor of the server's."""
    os.setsid()
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    import tempfile
    tempfile.tempdir = None  # TMPDIR is this process's own
    import numpy
    numpy.random.seed()
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _MAX_FD)


def _run_kernel(request: dict) -> None:
    _become(request, ())
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # TensorFlow's and ipykernel's own lines stay off the grader's terminal
        os.dup2(devnull, fd)
    os.close(devnull)
    _dumpable(True)  # as a kernel started by exec would be; only now: the server's log is no longer open
    # `python -m ipykernel_launcher`: the launcher drops the start folder from the path, IPython adds ''.
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd(), _START)]
    sys.argv = ["ipykernel_launcher", "--IPKernelApp.capture_fd_output=False", "-f", request["connection_file"]]
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()


class _Memory:
    """Serves the builder's own modules (graphs, builder, build functions) from the grader's copy
    (passed on a file descriptor): they are never files the kernels of this sandbox could read."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def find_spec(self, name, path=None, target=None):
        if name not in self.sources:
            return None
        from importlib.util import spec_from_loader
        return spec_from_loader(name, self, origin=f"<grader>/{name.replace('.', '/')}.py")

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        code = compile(self.sources[module.__name__], module.__spec__.origin, "exec")
        exec(code, module.__dict__)  # noqa: S102 - the grader's own module


def _run_builder(request: dict, fds: list[int]) -> None:
    frames, go, modules = fds
    _become(request, (frames, go, modules))
    with os.fdopen(modules, "rb") as f:
        sources = json.loads(f.read())
    log = os.open("builder.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.close(null)
    sys.meta_path.insert(0, _Memory(sources))
    sys.argv = ["grader.builder", request["job"], str(frames), str(go)]
    from grader.builder import main
    main(request["job"], str(frames), str(go))


def _join(group: int) -> None:
    """Move this fresh child into a group of its own (the grader opened the group's cgroup.procs):
    its limit and CPU share are its own, and the grader kills what it leaves when it ends."""
    try:
        os.write(group, b"0")  # 0: the writing process
    except OSError as error:
        print(f"process {os.getpid()}: not in a group of its own ({error})", file=sys.stderr, flush=True)
    finally:
        os.close(group)


def _child(request: dict, fds: list[int], server: socket.socket) -> None:
    """Never returns into the server's loop."""
    code = 1
    try:
        server.close()
        if request["op"] == "kernel":
            _run_kernel(request)
        else:
            _run_builder(request, fds)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child's end, whatever it was
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# --------------------------------------------------------------------------- the server
_START = os.getcwd()


class Server:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.children: dict[int, int | None] = {}  # pid -> returncode once reaped

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:  # orphans the namespace hands to its init are reaped, not tracked
                self.children[pid] = os.waitstatus_to_exitcode(status)
                print(f"process {pid} ended ({self.children[pid]}) after {usage.ru_utime + usage.ru_stime:.2f} "
                      "CPU s", file=sys.stderr, flush=True)

    def handle(self, request: dict, fds: list[int]) -> dict:
        op = request.get("op")
        if op in ("kernel", "builder"):
            joins = request.get("groups")
            if not isinstance(joins, int) or not 0 <= joins <= len(fds):
                return {"error": "groups: not a number of descriptors"}
            own, groups = fds[:len(fds) - joins], fds[len(fds) - joins:]  # serve() closes them all here
            if op == "builder" and len(own) != 3:
                return {"error": "the builder needs three descriptors"}
            pid = os.fork()
            if pid == 0:
                for group in groups:
                    _join(group)
                _child(request, own, self.sock)
            self.children[pid] = None
            print(f"process {pid}: {op}", file=sys.stderr, flush=True)
            return {"pid": pid}
        pid = request.get("pid")
        if pid not in self.children:
            return {"error": "not a process of this server"}
        if op == "status":
            self.reap()
            return {"status": self.children[pid]}
        if op == "signal":
            try:
                os.killpg(pid, int(request["signal"]))  # its group: what it started goes too
            except OSError:
                try:
                    os.kill(pid, int(request["signal"]))
                except OSError:
                    pass
            return {"ok": True}
        return {"error": f"unknown op {op!r}"}

    def serve(self) -> None:
        while True:
            self.reap()
            ready, _, _ = select.select([self.sock], [], [], 0.2)
            if not ready:
                continue
            try:
                request, fds = _receive(self.sock)
            except (OSError, ValueError):
                return
            if request is None:
                return
            try:
                reply = self.handle(request, fds)
            finally:
                for fd in fds:  # the child has its own copies
                    os.close(fd)
            _send(self.sock, reply)

    def end(self) -> None:
        """Kill every process of the namespace (as its init, -1 is all of them) and reap them all."""
        if os.getpid() == 1:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        else:
            for pid in self.children:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return


def main() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_IGN)  # only the grader ends it (SIGKILL from outside, or the socket)
    _dumpable(False)
    sock = socket.socket(fileno=int(sys.argv[1]))
    from grader.nolinks import forbid
    why = forbid()  # for every process it forks: no link, named pipe or device node (grader/nolinks.py)
    if why:
        print(f"links not forbidden: {why}", file=sys.stderr, flush=True)
    try:
        _preload()
    except BaseException as error:  # noqa: BLE001 - said to the grader, which falls back
        _send(sock, {"ready": False, "why": f"the imports failed: {type(error).__name__}: {error}"[:300]})
        return
    threads = _threads()
    if threads != 1:  # forking a process with other threads can deadlock its children
        _send(sock, {"ready": False, "why": f"{threads} threads after the imports (forking needs one)"})
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"ready after {usage.ru_utime + usage.ru_stime:.2f} CPU s", file=sys.stderr, flush=True)
    _send(sock, {"ready": True})
    server = Server(sock)
    try:
        server.serve()
    finally:
        server.end()


if __name__ == "__main__":
    main()

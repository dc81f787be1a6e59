"""The grader's side of a submission's fork server (grader/zygote.py): start it in the submission's
sandbox, fork kernels and the builder from it, end it with the submission.

One server per submission, never shared: it runs inside that submission's bubblewrap sandbox as the
init of its PID namespace, so everything it forks has that sandbox's limits, and ends with it. The
kernels and the builder of one submission share its namespaces (they can see one another's
processes, and the private /tmp); nothing is shared between two submissions.

Every reply from the server is read with a deadline and a size cap; a server that does not answer
is killed, and what was to be forked from it is started as a process of its own instead
(ForkServerError), as when the server cannot start at all.
"""
from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from .sandbox import Sandbox, end_groups, kill_group, start_python, student_env

STARTUP_SECONDS = 120.0  # importing TensorFlow on a busy machine
REPLY_SECONDS = 30.0     # a fork of a process that has imported TensorFlow, on a busy machine
MAX_REPLY = 1 << 16


class ForkServerError(RuntimeError):
    """The server cannot fork (it did not start, stopped answering, or refused)."""


@functools.lru_cache(maxsize=None)
def _builder_sources(package: str) -> bytes:
    """The builder package's modules (but the packages' __init__), as {module: source} JSON: the
    builder forked from the server gets them on a descriptor, never as files in the sandbox."""
    root = Path(package)
    sources = {}
    for path in sorted((root / "grader").rglob("*.py")):
        if path.name != "__init__.py":
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            sources[name] = path.read_text()
    return json.dumps(sources).encode()


class ForkServer:
    """A submission's fork server. Starts at once and imports in the background; the first fork waits."""

    def __init__(self, sandbox: Sandbox, workdir: Path, mnist_dir: str | None = None):
        self.sandbox, self.workdir, self.mnist_dir = sandbox, Path(workdir).absolute(), mnist_dir
        self.failure: str | None = None  # why it could not fork, once it could not
        self.forked = 0                  # processes forked so far
        self._lock = threading.Lock()
        self._ready = False
        # Its output (TensorFlow's start-up lines, a traceback) goes beside the work folder: the grader's file.
        self.log = self.workdir.parent / f".{self.workdir.name}.forks.log"
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = start_python(["-m", "grader.zygote", str(theirs.fileno())], self.workdir, sandbox,
                                        self.log, kind="forks", pass_fds=(theirs.fileno(),), mnist_dir=mnist_dir,
                                        init=True)
        except BaseException:
            self._sock.close()
            raise
        finally:
            theirs.close()

    # ------------------------------------------------------------------ the conversation
    def _reply(self, seconds: float) -> dict:
        self._sock.settimeout(seconds)
        data = self._sock.recv(MAX_REPLY)
        if not data:
            raise EOFError
        reply = json.loads(data)
        if not isinstance(reply, dict):
            raise ValueError("not an object")
        return reply

    def _fail(self, why: str) -> ForkServerError:
        """(With the lock held.) Stop using the server: kill it, keep the reason."""
        if self.failure is None:
            self.failure = why
            kill_group(self.process)
        return ForkServerError(self.failure)

    def _wait_ready(self) -> None:
        if self._ready:
            return
        if self.failure:
            raise ForkServerError(self.failure)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:  # in short steps: an interrupted run (Ctrl-C) does not wait for the imports
            if Sandbox.stopping:
                raise self._fail("the run was interrupted")
            try:
                reply = self._reply(min(0.5, max(0.01, deadline - time.monotonic())))
                break
            except socket.timeout:
                if time.monotonic() < deadline:
                    continue
                raise self._fail(f"the fork server did not start within {STARTUP_SECONDS:g} s{self._last_line()}") \
                    from None
            except (OSError, EOFError, ValueError) as error:
                raise self._fail(f"the fork server did not start ({type(error).__name__}){self._last_line()}") \
                    from None
        if reply.get("ready") is not True:
            raise self._fail(f"the fork server did not start: {str(reply.get('why'))[:300]}")
        self._ready = True

    def _last_line(self) -> str:
        try:
            lines = [line for line in self.log.read_text(errors="replace").splitlines()
                     if line.strip() and not line.startswith(("I0000", "WARNING: All log"))]
        except OSError:
            return ""
        return f": {lines[-1][:200]}" if lines else ""

    def request(self, message: dict, fds=()) -> dict:
        with self._lock:
            self._wait_ready()
            try:
                socket.send_fds(self._sock, [json.dumps(message).encode()], list(fds))
                reply = self._reply(REPLY_SECONDS)
            except (OSError, EOFError, ValueError) as error:
                raise self._fail(f"the fork server stopped answering ({type(error).__name__})") from None
            if "error" in reply:
                raise ForkServerError(str(reply["error"])[:300])
            return reply

    def ready(self) -> bool:
        """Wait for the imports; False (with `failure` saying why) when it cannot fork."""
        try:
            with self._lock:
                self._wait_ready()
        except ForkServerError:
            return False
        return True

    # ------------------------------------------------------------------ forking
    def _fork(self, message: dict, fds=()) -> "Forked":
        """Fork a process of `message["op"]` in groups of its own (Sandbox.process_groups): the server
        passes the child each group's cgroup.procs, opened here, and the child joins them first."""
        groups = self.sandbox.process_groups()
        joins = [os.open(group / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for group in groups]
        try:
            reply = self.request({**message, "groups": len(joins)}, (*fds, *joins))
        except BaseException:
            end_groups(groups)
            raise
        finally:
            for join in joins:
                os.close(join)
        pid = reply.get("pid")
        if not isinstance(pid, int) or pid <= 1:
            end_groups(groups)
            with self._lock:
                raise self._fail("the fork server answered without a process id")
        self.forked += 1
        return Forked(self, pid, groups)

    def kernel(self, cwd: Path, connection_file: str) -> "Forked":
        """A kernel in `cwd` (inside the work folder), with the kernel's whole environment."""
        env = student_env(cwd, package=self.sandbox.package_for("forks"), mnist_dir=self.mnist_dir)
        return self._fork({"op": "kernel", "cwd": str(cwd), "env": env, "connection_file": connection_file})

    def builder(self, folder: Path, job: Path, frames_fd: int, go_fd: int) -> "Forked":
        """`python -m grader.builder JOB FRAMES GO`, forked: its modules come on a descriptor."""
        env = student_env(folder, package=self.sandbox.package_for("forks"), mnist_dir=self.mnist_dir)
        modules = os.memfd_create("builder-modules", os.MFD_CLOEXEC)
        try:
            os.write(modules, _builder_sources(str(self.sandbox.package_for("builder"))))
            os.lseek(modules, 0, os.SEEK_SET)
            return self._fork({"op": "builder", "cwd": str(folder), "env": env, "job": str(job)},
                              (frames_fd, go_fd, modules))
        finally:
            os.close(modules)

    def close(self) -> None:
        """End the server and everything it forked (it kills its namespace when its socket closes)."""
        self._sock.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        kill_group(self.process)
        self.log.unlink(missing_ok=True)


class Forked:
    """A process the server forked, used as a Popen: poll, wait, send_signal, kill. Its pid is the
    one inside the submission's PID namespace: it is signalled and polled through the server."""
    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int, groups: tuple[Path, ...] = ()):
        self.server, self.pid, self.returncode = server, pid, None
        self.groups = groups  # its own pids and CPU groups: what it leaves running dies with end_groups()

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                status = self.server.request({"op": "status", "pid": self.pid}).get("status")
            except ForkServerError:
                status = -signal.SIGKILL  # the server is gone, and its namespace with it
            if isinstance(status, int):
                self.returncode = status
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked process", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            try:
                self.server.request({"op": "signal", "pid": self.pid, "signal": int(signum)})
            except ForkServerError:
                pass  # the server is gone, and its namespace with it

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill_group(self) -> None:
        """As sandbox.kill_group does for a Popen: kill its process group, wait for it, then kill
        what is left in its own groups."""
        self.kill()
        self.wait()
        self.end_groups()

    def end_groups(self) -> None:
        groups, self.groups = self.groups, ()
        end_groups(groups)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's provisioner for a kernel forked from the submission's fork server: the
    connection file is written as usual; the process is the server's child, tracked, signalled
    and polled through the server."""

    server: ForkServer | None = None

    forked: "Forked | None" = None  # kept after wait() drops `process`: its groups outlive it

    async def launch_kernel(self, cmd, **kwargs):
        self.process = self.forked = self.server.kernel(Path(kwargs.get("cwd") or self.server.workdir),
                                                        self.parent.connection_file)
        self.pid = self.pgid = None  # namespace pids: never signalled from here
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    def end_groups(self) -> None:
        """The kernel has ended (grader/execute.py calls this after stopping it): so does everything
        it started, even what left its session."""
        if self.forked:
            self.forked.end_groups()

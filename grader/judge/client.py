"""The grader's side of the judge: start it once per run, ask it to measure artifacts."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.frames import FrameError, Reader, encode
from grader.i18n import _

STARTUP_SECONDS = 300.0


@dataclass
class Measured:
    status: str                 # ok | refused | timeout | crashed | error
    message: str = ""
    values: dict | None = None


class Judge:
    """One judge process for a run; started again if it dies (a measurement in flight then fails)."""

    def __init__(self, budget: dict, max_memory_mb: int, scratch: Path | None = None, private: tuple = (),
                 cache: Path | None = None):
        """Starts the judge and returns at once (it imports TensorFlow and pretrains while the run
        starts its notebooks); the first measurement, or `provided`, waits for it. `cache`: where
        the pretrained model is kept between runs."""
        self.folder = Path(tempfile.mkdtemp(prefix="judge-", dir=scratch))
        os.chmod(self.folder, 0o700)
        self.socket_path = str(self.folder / "s")
        self.budget, self.max_memory_mb, self.private = budget, max_memory_mb, [str(p) for p in private]
        self.cache = str(cache) if cache else ""
        self.lock = threading.Lock()
        self.ready = False
        self.stopping = False  # the run was interrupted: no measurement, no restart
        self._start()

    def provided(self) -> Path:
        """What every builder gets a copy of (the pretrained checkpoint), once the judge is ready."""
        with self.lock:
            self._wait_ready()
        return self.folder / "pretrained"

    def _start(self) -> None:
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        self.log = open(self.folder / "judge.log", "ab")
        # A clean environment (an allowlist, as the sandbox's): nothing of the grader's, such as a CI token.
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "GRADER_LANG", "PYTHONPATH", "MNIST_DIR")}
        env.update(HOME=str(self.folder), TMPDIR=str(self.folder), TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
                   CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
                   TF_NUM_INTRAOP_THREADS="1", PYTHONHASHSEED="0", MALLOC_ARENA_MAX="2")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.judge.server", self.socket_path, str(self.folder), json.dumps(self.budget),
             str(self.max_memory_mb), json.dumps(self.private), self.cache], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=self.folder, start_new_session=True)
        if self.stopping:  # interrupt() ran meanwhile and killed the judge this one replaces
            self.process.kill()
        self.ready = False

    def _wait_ready(self) -> None:
        """(With the lock held.) Wait for the judge's "ready"; RuntimeError when it cannot start."""
        if self.ready:
            return
        reader = Reader(self.process.stdout.fileno())
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            reader._fill(6, deadline)
        except (TimeoutError, EOFError):
            if self.stopping:
                raise KeyboardInterrupt from None
            self.log.flush()
            lines = (self.folder / "judge.log").read_text(errors="replace").strip().splitlines()
            self.close()
            raise RuntimeError(f"the judge did not start: {lines[-1] if lines else 'no output'}") from None
        self.ready = True

    def _alive(self) -> bool:
        """True when the judge runs; a judge that died (the OOM killer, a crash) is started again."""
        with self.lock:
            if self.stopping:
                raise KeyboardInterrupt
            try:
                if self.process.poll() is None:
                    self._wait_ready()
                    return True
                self.log.close()
                self._start()
                self._wait_ready()
            except RuntimeError:
                return False
            return True

    def measure(self, exercise: str, check: str, info: dict, blobs: dict[str, bytes], timeout: float) -> Measured:
        if not self._alive():
            return Measured("error", _("the judge could not be started again (internal grader error)"))
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            try:
                conn.connect(self.socket_path)
                conn.sendall(encode({"exercise": exercise, "check": check, "timeout": timeout, "info": info}, blobs))
                header, reply = Reader(conn.fileno()).read(time.monotonic() + timeout + 30)
            except (TimeoutError, EOFError, FrameError, OSError) as error:
                if self.stopping:  # interrupt() killed the judge under this measurement
                    raise KeyboardInterrupt from None
                if isinstance(error, TimeoutError):
                    return Measured("timeout", _("did not finish within {seconds} s").format(seconds=f"{timeout:g}"))
                return Measured("crashed", _("measuring it stopped the judge's process (out of time ({seconds} s) or "
                                             "memory, or a crash)").format(seconds=f"{timeout:g}"))
        status = header.get("status")
        if status != "ok":
            return Measured(status or "error", str(header.get("message", "")))
        with np.load(io.BytesIO(reply["values"]), allow_pickle=False) as npz:
            return Measured("ok", values={k: npz[k] for k in npz.files})

    def interrupt(self) -> None:
        """The run was interrupted (Ctrl-C): end the judge now, with the measurements it forked (they
        die with it), and start no other. A thread waiting on it gets KeyboardInterrupt at once
        instead of the measurement's end, which can be a minute away. Needs no lock: a waiter may hold it."""
        self.stopping = True
        if self.process.poll() is None:
            self.process.kill()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)

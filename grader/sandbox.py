"""Start processes that run student code with limits: their own session (so the
whole process group can be killed), an address-space limit, a working folder
of their own, and a small, known environment."""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path


def student_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "PYTHONPATH",
                                                          "MNIST_DIR", "VIRTUAL_ENV")}
    env.update(TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0",
               CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", TMPDIR=str(workdir), MPLBACKEND="Agg")
    return env


def limit_resources(max_memory_mb: int):
    """A preexec_fn: memory cap, no core dumps."""
    def apply() -> None:
        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def start_python(args: list[str], workdir: Path, max_memory_mb: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as sink:
        return subprocess.Popen([sys.executable, *args], cwd=workdir, env=student_env(workdir),
                                stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=limit_resources(max_memory_mb))


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        sig = signal.Signals(-returncode)
        why = {signal.SIGKILL: " (killed: out of time or memory)", signal.SIGSEGV: " (a segmentation fault)",
               signal.SIGABRT: " (aborted, often out of memory)"}.get(sig, "")
        return f"the process was killed by {sig.name}{why}"
    return f"the process exited with status {returncode} (sys.exit or os._exit?)"

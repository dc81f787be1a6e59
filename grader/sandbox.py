"""Limits for every process that runs student code (the notebook's kernel and the
probe worker), per submission:

- an address-space cap (RLIMIT_AS) and no core dumps;
- a process-count cap: a pids cgroup where the OS lets us make one (it also lets
  the grader kill every process the submission started, fork bombs included),
  else RLIMIT_NPROC (which root ignores);
- no network: a network namespace of its own (the kernel talks to the grader
  over unix sockets, which do not need one), and no TCP under Landlock;
- Landlock (Linux 5.13+, unprivileged): it may read anything but write only in the
  submission's own folder, so it cannot touch the grader, the reference cache or
  another student's results; and (Linux 6.12+) it cannot signal processes outside
  the submission, so it cannot kill the grader;
- a working folder of its own, a small known environment, its own session.

What the OS does not allow is reported once per run (`sandbox_warnings()`) and
grading goes on without it.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

try:  # imported here, never in a forked child (imports there can deadlock)
    import py_landlock
except ImportError:  # pragma: no cover - an install without it still grades, unconfined
    py_landlock = None

CLONE_NEWNET = 0x40000000
MAX_PROCESSES = 256
_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


@dataclass(frozen=True)
class Limits:
    """What a child applies to itself before running student code (passed as JSON to grader.kernel)."""
    max_memory_mb: int
    cgroup_procs: str | None = None   # the cgroup.procs file to join
    isolate_network: bool = True
    writable: str | None = None       # the only folder it may write in (Landlock), None: unconfined
    private: tuple[str, ...] = ()     # paths it may not read (Landlock)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Limits":
        return cls(**json.loads(text))


def _unshare_network() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/ptmx", "/dev/pts")  # pty: IPython's `!cmd`


def _inside(path: str, folders: set[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def readable_roots(private: list[str]) -> tuple[list[str], list[str]]:
    """(roots, folders above the private paths): the roots' subtrees hold everything but the
    private paths; each folder above one may be listed, not read. Links are followed, so a link
    that leads to or above a private path is left out."""
    private_set = {os.path.realpath(p) for p in private if os.path.exists(p)}
    if not private_set:
        return ["/"], []
    above = {str(parent) for p in private_set for parent in Path(p).parents}
    roots = []
    for folder in sorted(above):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            real = os.path.realpath(os.path.join(folder, name))
            if real not in above and not _inside(real, private_set) and os.path.exists(real):
                roots.append(real)
    return roots, sorted(above)


def confine(writable: str, isolate_network: bool, private: list[str] = ()) -> None:
    """Landlock this process and its children: read and run anything but the `private` paths
    (the reference solutions and results, the gradebook, other submissions); write only beneath
    `writable` (and /dev/null, /dev/shm); signal and reach abstract unix sockets only inside
    its own domain; no TCP when the network is isolated. Features the kernel lacks are skipped."""
    fs = py_landlock.AccessFs
    everything = fs(0)
    for flag in fs:
        everything |= flag
    rules = py_landlock.Landlock(strict=False)
    roots, above = readable_roots(list(private))
    for root in roots:
        access = fs.READ_FILE | fs.EXECUTE | fs.IOCTL_DEV  # what a rule on a file may grant
        try:
            rules.add_path_rule(root, access=access | fs.READ_DIR if os.path.isdir(root) else access)
        except py_landlock.PathError:
            pass  # gone since it was listed
    for folder in above:
        rules.add_path_rule(folder, access=fs.READ_DIR)
    rules.add_path_rule(writable, access=everything)
    for device in filter(os.path.exists, _DEVICES):
        rules.add_path_rule(device, access=fs.READ_FILE | fs.WRITE_FILE | fs.TRUNCATE | fs.IOCTL_DEV
                            | (fs.READ_DIR if os.path.isdir(device) else fs(0)))
    if os.path.isdir("/dev/shm"):  # POSIX semaphores and shared memory (multiprocessing)
        rules.add_path_rule("/dev/shm", access=everything)
    if not isolate_network:
        rules.allow_all_network()
    rules.apply()


def apply_limits(limits: Limits) -> None:
    """Run in the child, before student code: join the cgroup, cap memory and processes, drop the
    network, confine writes and signals."""
    if limits.cgroup_procs:
        try:
            Path(limits.cgroup_procs).write_text(str(os.getpid()))
        except OSError:
            pass
    cap = limits.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    if limits.isolate_network:
        try:
            _unshare_network()
        except OSError:
            pass  # checked once per run by network_isolation_problem()
    if limits.writable and py_landlock is not None:
        try:
            confine(limits.writable, limits.isolate_network, limits.private)
        except (py_landlock.LandlockError, OSError):
            try:  # at least keep it from writing and signalling outside
                confine(limits.writable, limits.isolate_network)
            except (py_landlock.LandlockError, OSError):
                pass  # checked once per run by confinement_problems()


def network_isolation_problem() -> str | None:
    """None when a child can get a network namespace of its own; else why not."""
    probe = "from grader.sandbox import _unshare_network as u; u()"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return None if run.returncode == 0 else (run.stderr.strip().splitlines() or ["unshare failed"])[-1]


_UNCONFINED = "student code can write outside its folder and signal the grader"


def confinement_problems(private: tuple[Path, ...] = ()) -> list[str]:
    """What Landlock cannot do here, checked once per run in a child process."""
    if py_landlock is None:
        return [f"{_UNCONFINED} (py-landlock is not installed)"]
    try:
        abi = int(py_landlock.get_abi_version())
    except py_landlock.LandlockError as error:
        return [f"{_UNCONFINED} (no Landlock: {error})"]
    check = ("import os, sys, tempfile; from grader.sandbox import confine; d = tempfile.mkdtemp(); "
             "confine(d, True, sys.argv[1:]); open(os.path.join(d, 'ok'), 'w').close()")
    run = subprocess.run([sys.executable, "-c", check, *map(str, private)], capture_output=True, text=True)
    if run.returncode != 0:
        why = (run.stderr.strip().splitlines() or ["it failed"])[-1]
        return [f"{_UNCONFINED} (Landlock failed: {why})"]
    if abi < 6:
        return [f"student code can signal the grader (Landlock ABI {abi} here; signal scoping needs 6, Linux 6.12)"]
    return []


def _make_cgroup() -> Path | None:
    for root in _CGROUP_ROOTS:
        if (root / "cgroup.procs").exists() and os.access(root, os.W_OK):
            path = root / f"ch11-grader-{uuid.uuid4().hex[:12]}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(MAX_PROCESSES))
                return path
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
    return None


class Sandbox:
    """The limits of one submission, and the means to end everything it started."""

    _open: set["Sandbox"] = set()  # every live sandbox, so that Ctrl-C can end them all
    stopping = False               # set on Ctrl-C: start nothing new

    def __init__(self, max_memory_mb: int, isolate_network: bool, writable: Path | None,
                 private: tuple[Path, ...] = ()):
        """`writable`: the submission's own folder, the only place its code may write;
        `private`: what its code may not read."""
        Sandbox._open.add(self)
        self.cgroup = _make_cgroup()
        procs = str(self.cgroup / "cgroup.procs") if self.cgroup else None
        # Python and the grader must stay readable, even inside a private path (`grader grade .`
        # run in a repository that holds its virtual environment).
        needed = {os.path.realpath(n) for n in (sys.prefix, sys.base_prefix, Path(__file__).parent)}
        private = tuple(str(p) for p in private
                        if not any(_inside(n, {os.path.realpath(p)}) for n in needed))
        self.limits = Limits(max_memory_mb, procs, isolate_network, str(writable) if writable else None,
                             private)

    def preexec(self):
        limits = self.limits
        return lambda: apply_limits(limits)

    def kill_all(self) -> None:
        if not self.cgroup:
            return
        for _ in range(20):  # a fork bomb may spawn while we kill: repeat until empty
            try:
                pids = [int(p) for p in (self.cgroup / "cgroup.procs").read_text().split()]
            except OSError:
                return
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    @classmethod
    def close_all(cls) -> None:
        cls.stopping = True
        for sandbox in list(cls._open):
            sandbox.kill_all()

    def close(self) -> None:
        Sandbox._open.discard(self)
        self.kill_all()
        if self.cgroup:
            for _ in range(50):
                try:
                    self.cgroup.rmdir()
                    break
                except OSError:
                    import time
                    time.sleep(0.05)  # killed processes take a moment to leave


def sandbox_warnings(isolate_network: bool, private: tuple[Path, ...] = ()) -> list[str]:
    """Said once per run: what this machine does not allow."""
    notes = []
    probe = _make_cgroup()
    if probe is None:
        notes.append("no pids cgroup can be made here: a fork bomb is limited only by RLIMIT_NPROC"
                     + (", which root ignores" if os.geteuid() == 0 else ""))
    else:
        probe.rmdir()
    if isolate_network and (problem := network_isolation_problem()):
        notes.append(f"student code keeps network access (no network namespace: {problem})")
    return notes + confinement_problems(private)


def student_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "PYTHONPATH",
                                                          "MNIST_DIR", "VIRTUAL_ENV")}
    env.update(TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0",
               CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", TMPDIR=str(workdir), MPLBACKEND="Agg",
               # the tools' own settings folders, where the student may write
               IPYTHONDIR=str(workdir / ".ipython"), MPLCONFIGDIR=str(workdir / ".matplotlib"),
               KERAS_HOME=str(workdir / ".keras"),
               # glibc reserves 64 MiB of address space per thread arena; a kernel's many
               # threads then overrun a 2 GiB RLIMIT_AS before TensorFlow even imports.
               MALLOC_ARENA_MAX="2")
    return env


def start_python(args: list[str], workdir: Path, sandbox: Sandbox, log: Path) -> subprocess.Popen:
    with open(log, "ab") as sink:
        return subprocess.Popen([sys.executable, *args], cwd=workdir, env=student_env(workdir),
                                stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=sandbox.preexec())


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

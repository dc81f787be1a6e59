"""Deny-by-default isolation of every process that runs student code (the notebook's kernel, the
builder), per submission.

With bubblewrap (`bwrap`, when it is installed and works here) each such process runs in
namespaces of its own (PID, IPC, network, UTS, user, cgroup), as an unprivileged user with no
capabilities, in a file system that holds only what `bwrap_args()` declares: the system and the
Python installation read-only, a staged copy of the grader's *public* files (grader.stage), the
data folders the caller names, the submission's own work folder read-write (at its host path:
the kernel's unix sockets and connection file live there) and a small private /tmp and
/dev/shm; a cleared environment but for an allowlist (`student_env`); it dies with the grader.

Without bubblewrap (or with CH11_SANDBOX=landlock) the fallback: Landlock (read anything but the
private paths, write only in the work folder, no signals outside, Linux 6.12+), a network
namespace, the allowlisted environment.

Both ways: an address-space cap (RLIMIT_AS) and no core dumps; a pids cgroup per process the sandbox
starts (a kernel, the builder), inside one per submission: a fork bomb in a notebook takes the
processes of its own kernel, not the builder's, and the grader can kill every process a kernel
started when it ends (even one that left its session); the work folder is a tmpfs of `disk_mb` where
the grader may mount one (else RLIMIT_FSIZE per file). What the OS does not allow, and what the
mode in force leaves open, is reported once per run (`sandbox_warnings()`).

A run's lifecycle: `begin_run()` makes a run folder (locked for the life of the process) after
removing what killed runs left behind (run folders, tmpfs mounts, cgroups, processes);
`new_workdir(run, name)` makes a submission's folder in it; `end_run(run)` removes it.
"""
from __future__ import annotations

import atexit
import concurrent.futures
import ctypes
import fcntl
import functools
import json
import os
import queue
import re
import resource
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

try:  # imported here, never in a forked child (imports there can deadlock)
    import py_landlock
except ImportError:  # pragma: no cover - an install without it still grades, unconfined
    py_landlock = None

from .i18n import _
from .nolinks import forbidden_rights
from .stage import stage_package
from .untrusted_folder import open_log

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
MNT_DETACH = 2
MS_NOSUID, MS_NODEV = 0x2, 0x4
MAX_PROCESSES = 256        # each process the sandbox starts (a kernel, the builder) and all it starts
MAX_SUBMISSION_PROCESSES = 8 * MAX_PROCESSES  # all of a submission's together: a backstop for the machine
DEFAULT_DISK_MB = 1024     # the work folder's size
DEFAULT_TMP_MB = 64        # each of the private /tmp and /dev/shm (bubblewrap)
STUDENT_UID = 1000         # who student code is inside bubblewrap (mapped to the grader's user)
MODE_ENV = "CH11_SANDBOX"  # "landlock": force the fallback; "bwrap": refuse to run without it
CGROUP_PREFIX = "ch11-grader-"
MOUNT_SOURCE = "ch11-grader"  # tmpfs work folders are mounted as ch11-grader-<grader pid>
RUNS_DIR = "ch11-grader-runs"
_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
_CPU_ROOT = Path("/sys/fs/cgroup/cpu")  # cgroup v1's CPU hierarchy (v2: the pids group, with +cpu)

# The system, read-only (a link such as /lib -> usr/lib is recreated as a link).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# What of /etc Python, NumPy/TensorFlow and ipykernel need: the dynamic linker's cache, time zone,
# name-service switch, localhost. /etc/passwd and /etc/group are synthetic (one student user).
ETC_PATHS = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "hosts")
ETC_NETWORK_PATHS = ("resolv.conf", "host.conf", "gai.conf", "ssl", "ca-certificates")  # only with the network
# Passed through from the grader's environment when set; everything else is set explicitly.
PASSED_ENV = ("LANG", "LC_ALL", "GRADER_LANG")  # GRADER_LANG: the language of the messages


# --------------------------------------------------------------------------- limits in the child
@dataclass(frozen=True)
class Limits:
    """What a child applies to itself before running student code (passed as JSON to grader.kernel)."""
    max_memory_mb: int
    cgroup_procs: str | None = None   # the cgroup.procs file to join
    cpu_procs: str | None = None      # cgroup v1: the CPU group's cgroup.procs file to join
    isolate_network: bool = True
    writable: str | None = None       # the only folder it may write in (Landlock), None: unconfined
    private: tuple[str, ...] = ()     # paths it may not read (Landlock)
    fsize_mb: int | None = None       # RLIMIT_FSIZE, where the work folder could not be a tmpfs
    readable: tuple[str, ...] = ()    # readable even inside a private path (Landlock): the staged package, data
    env: dict[str, str] = field(default_factory=dict)  # the student process's whole environment
    wrapper: tuple[str, ...] = ()     # the bwrap command line the student process runs under

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Limits":
        data = json.loads(text)
        for key in ("private", "wrapper", "readable"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _unshare_network() -> None:
    libc = _libc()
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


def confine(writable: str, isolate_network: bool, private: list[str] = (), readable: list[str] = ()) -> None:
    """Landlock this process and its children: read and run anything but the `private` paths
    (the reference solutions and results, the gradebook, other submissions); write only beneath
    `writable` (and /dev/null, /dev/shm); signal and reach abstract unix sockets only inside
    its own domain; no TCP when the network is isolated. Features the kernel lacks are skipped."""
    fs = py_landlock.AccessFs
    everything = fs(0)
    for flag in fs:
        everything |= flag
    everything &= ~forbidden_rights()  # no links, named pipes or device nodes (grader/nolinks.py)
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
    for path in filter(os.path.exists, readable):
        access = fs.READ_FILE | fs.EXECUTE
        rules.add_path_rule(path, access=access | fs.READ_DIR if os.path.isdir(path) else access)
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
    """Run in the child, before student code (or before it execs bwrap): die with the grader, join
    the cgroup, cap memory, processes and file size; without bubblewrap also drop the network and
    confine reads, writes and signals (with it, bwrap does that)."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    for procs in (limits.cgroup_procs, limits.cpu_procs):
        if procs:
            try:
                Path(procs).write_text(str(os.getpid()))
            except OSError:
                pass
    cap = limits.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    if limits.fsize_mb:
        size = limits.fsize_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    if limits.wrapper:
        return
    if limits.isolate_network:
        try:
            _unshare_network()
        except OSError:
            pass  # checked once per run by network_isolation_problem()
    if limits.writable and py_landlock is not None:
        try:
            confine(limits.writable, limits.isolate_network, limits.private, limits.readable)
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


# --------------------------------------------------------------------------- bubblewrap
BWRAP = shutil.which("bwrap")


def _system_args() -> list[str]:
    args = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _python_roots() -> list[str]:
    """The Python installation (and its links' targets), outside the system folders."""
    roots: list[str] = []
    for path in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))):
        for candidate in (os.path.abspath(path), os.path.realpath(path)):
            if not _inside(candidate, {*SYSTEM_PATHS, *roots}):
                roots.append(candidate)
    return [r for r in roots if not any(r != o and _inside(r, {o}) for o in roots)]


def _hidden_packages(roots: list[str]) -> list[str]:
    """Every `grader` package (or its package data) under the bound Python installation: an
    installed grader, or the package data (reference notebooks) an editable install leaves in
    site-packages. The staged package is bound over each."""
    found = []
    real = str(Path(__file__).resolve().parent)
    candidates = [os.path.join(p, "grader") for p in site.getsitepackages([sys.prefix, sys.base_prefix])]
    for path in [*candidates, real]:
        if os.path.isdir(path) and _inside(os.path.realpath(path), set(roots)) and path not in found:
            found.append(path)
    return found


_IDENTITY_LOCK = threading.Lock()


def _identity_files() -> str:
    """A folder with the sandbox's /etc/passwd and /etc/group: one user, the student. It lives in
    the current run folder, so that it goes with the run, also when a killed run's folder is swept
    by the next one (a process ended by os._exit, as a Dask worker is, runs no atexit handler)."""
    with _IDENTITY_LOCK:
        run = next(reversed(_RUNS), None)
        folder = run / "etc" if run else _loose_identity_folder()
        if not (folder / "group").exists():
            folder.mkdir(mode=0o755, exist_ok=True)
            (folder / "passwd").write_text(f"student:x:{STUDENT_UID}:{STUDENT_UID}:student:/tmp:/bin/sh\n")
            (folder / "group").write_text(f"student:x:{STUDENT_UID}:\n")  # last: it says the folder is whole
        return str(folder)


@functools.lru_cache(maxsize=None)
def _loose_identity_folder() -> Path:
    """Outside any run (a sandbox made directly, as the tests do): a temp folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="ch11-etc-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def bwrap_args(workdir: Path, package: Path, *, writable: Path | None = None, data_dirs=(),
               isolate_network: bool = True, env: dict[str, str] | None = None,
               tmp_mb: int = DEFAULT_TMP_MB, user_namespace: bool = True, init: bool = False) -> list[str]:
    """The whole bwrap command line before the program: everything student code can see.
    `init`: the program is the PID namespace's init (PID 1: it reaps orphans, ignores signals
    sent from inside, and takes the whole namespace with it when it ends), as the fork server is.

    Order matters: later mounts go on top of earlier ones (the work folder inside the private /tmp)."""
    args = [BWRAP or "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--cap-drop", "ALL"]
    if user_namespace:
        args += ["--unshare-user", "--uid", str(STUDENT_UID), "--gid", str(STUDENT_UID)]
    if init:
        args.append("--as-pid-1")
    if not isolate_network:
        args.append("--share-net")
    args += _system_args()
    etc = ETC_PATHS + (() if isolate_network else ETC_NETWORK_PATHS)
    for name in etc:
        if os.path.exists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    identity = _identity_files()
    args += ["--ro-bind", f"{identity}/passwd", "/etc/passwd", "--ro-bind", f"{identity}/group", "/etc/group"]
    size = str(tmp_mb * 1024 * 1024)
    args += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/tmp",
             "--size", size, "--tmpfs", "/dev/shm"]
    roots = _python_roots()  # after the private /tmp: a Python installed under /tmp (a CI clone) stays visible
    for root in roots:
        args += ["--ro-bind", root, root]
    package = Path(package)
    for hidden in _hidden_packages(roots):
        args += ["--ro-bind", str(package / "grader"), hidden]
    args += ["--ro-bind", str(package), str(package)]
    for folder in data_dirs:
        if folder and os.path.exists(folder):
            folder = os.path.abspath(folder)
            args += ["--ro-bind", folder, folder]
    workdir = Path(workdir).absolute()
    if writable is not None:
        args += ["--bind", str(Path(writable).absolute()), str(Path(writable).absolute())]
    if writable is None or not _inside(str(workdir), {str(Path(writable).absolute())}):
        args += ["--bind", str(workdir), str(workdir)]
    args += ["--chdir", str(workdir)]
    for key, value in (env or {}).items():
        args += ["--setenv", key, value]
    return args + ["--"]


@functools.lru_cache(maxsize=None)
def _bwrap_check() -> tuple[str | None, bool]:
    """(None, user namespace works) when bwrap runs Python here as the sandbox runs it; else (why not, _)."""
    if BWRAP is None:
        return "bwrap is not installed", False
    folder = Path(tempfile.mkdtemp(prefix="ch11-bwrap-check-"))
    try:
        stage = stage_package("kernel", folder / "pkg")
        why = "bwrap failed"
        for userns in (True, False):
            argv = bwrap_args(folder, stage, writable=folder, env=student_env(folder, package=stage),
                              user_namespace=userns)
            check = "import grader, os; open('ok', 'w').close()"
            try:
                run = subprocess.run([*argv, sys.executable, "-c", check], capture_output=True, text=True,
                                     timeout=60, env={})
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"bwrap failed: {error}", False
            if run.returncode == 0 and (folder / "ok").exists():
                return None, userns
            why = (run.stderr.strip().splitlines() or [f"bwrap exited with {run.returncode}"])[-1]
        return f"bwrap does not work here: {why}", False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sandbox_mode() -> str:
    """"bwrap" or "landlock" (the fallback): bubblewrap when it works here, unless CH11_SANDBOX=landlock."""
    wanted = os.environ.get(MODE_ENV, "").strip().lower()
    if wanted == "landlock":
        return "landlock"
    problem, _ = _bwrap_check()
    if problem and wanted == "bwrap":
        raise RuntimeError(f"{MODE_ENV}=bwrap, but {problem}")
    return "landlock" if problem else "bwrap"


# --------------------------------------------------------------------------- the work folder's size
def _mount_tmpfs(path: Path, size_mb: int) -> bool:
    """Mount a tmpfs of size_mb on `path` (root only). False where not allowed."""
    options = f"size={size_mb}m,mode=0700".encode()
    source = f"{MOUNT_SOURCE}-{os.getpid()}".encode()
    libc = _libc()
    return libc.mount(source, str(path).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) == 0


def _unmount(path: str) -> None:
    _libc().umount2(str(path).encode(), MNT_DETACH)


def _mounts() -> list[tuple[str, str]]:
    """(source, mount point) of every mount this process sees."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        after = line.split(" - ", 1)[1].split()
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        found.append((after[1] if len(after) > 1 else "", point))
    return found


def _unmount_under(folder: Path) -> None:
    root = os.path.realpath(folder)
    for _, point in sorted(_mounts(), key=lambda m: -len(m[1])):
        if _inside(point, {root}):
            _unmount(point)


@functools.lru_cache(maxsize=None)
def _tmpfs_allowed() -> bool:
    folder = tempfile.mkdtemp(prefix="ch11-mount-check-")
    try:
        if _mount_tmpfs(Path(folder), 1):
            _unmount(folder)
            return True
        return False
    finally:
        try:
            os.rmdir(folder)
        except OSError:
            pass


# --------------------------------------------------------------------------- cgroups
def _new_group(root: Path, settings: dict[str, str]) -> Path | None:
    """A cgroup of this grader's under `root` (its pid in the name: the next run removes a killed
    run's), with `settings` written into it; None when it cannot be made."""
    path = root / f"{CGROUP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        path.mkdir()
        for name, value in settings.items():
            (path / name).write_text(value)
        return path
    except OSError:
        try:
            path.rmdir()
        except OSError:
            pass
        return None


def _make_cgroup() -> Path | None:
    """The submission's pids group. cgroup v2: with the pids and CPU controllers for the groups inside it
    (a group with controllers for its children holds no process itself: every process the sandbox
    starts goes in a group of its own, `Sandbox.process_groups`)."""
    for root in _CGROUP_ROOTS:
        if (root / "cgroup.procs").exists() and os.access(root, os.W_OK):
            group = _new_group(root, {"pids.max": str(MAX_SUBMISSION_PROCESSES)})
            if group:
                if (group / "cgroup.subtree_control").exists():
                    for controller in ("+pids", "+cpu"):
                        try:
                            (group / "cgroup.subtree_control").write_text(controller)
                        except OSError:
                            pass  # without pids: no groups inside it, its processes share its limit
                return group
    return None


def _make_cpu_cgroup() -> Path | None:
    """A CPU group of the sandbox's own, so that the scheduler shares the CPU between submissions
    (and the grader) as groups, however many processes each runs: without it, a student who leaves
    a hundred processes spinning takes the CPU from everyone else's notebooks and checks. cgroup
    v1: a group in the CPU hierarchy (returned); v2: the CPU controller enabled for the pids groups
    (None returned: the sandbox's one group does both)."""
    if (_CPU_ROOT / "cgroup.procs").exists():
        return _new_group(_CPU_ROOT, {}) if os.access(_CPU_ROOT, os.W_OK) else None
    _enable_cpu_v2()
    return None


@functools.lru_cache(maxsize=None)
def _enable_cpu_v2() -> bool:
    for root in _CGROUP_ROOTS[1:]:
        control = root / "cgroup.subtree_control"
        try:
            if "cpu" not in control.read_text().split():
                control.write_text("+cpu")
            return True
        except OSError:
            continue
    return False


def _cpu_shared_by_group() -> bool:
    """Does each sandbox get a CPU share of its own here? (Said once per run when not.)"""
    if (_CPU_ROOT / "cgroup.procs").exists():
        return os.access(_CPU_ROOT, os.W_OK)
    return _enable_cpu_v2()


def _groups_in(cgroup: Path) -> list[Path]:
    """The cgroup and those inside it, the innermost first (the order they can be removed in)."""
    groups = []
    for folder, _, _ in os.walk(cgroup, topdown=False):
        groups.append(Path(folder))
    return groups or [cgroup]


def _kill_cgroup(cgroup: Path) -> None:
    """SIGKILL every process in the cgroup and in the groups inside it."""
    for group in _groups_in(cgroup):
        for _ in range(20):  # a fork bomb may spawn while we kill: repeat until empty
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _remove_cgroup(cgroup: Path) -> None:
    _kill_cgroup(cgroup)
    for group in _groups_in(cgroup):
        for _ in range(50):
            try:
                group.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)  # killed processes take a moment to leave
                _kill_cgroup(group)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- spawning
class _Spawner:
    """Forks from one long-lived thread. bwrap's --die-with-parent (PR_SET_PDEATHSIG) fires when
    the *thread* that forked the child ends: a child started from a short-lived worker thread would
    be killed with it. This thread lives as long as the process (a daemon thread)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _serve(self) -> None:
        while True:
            fn, future = self._jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as error:  # noqa: BLE001 - raised again in the caller
                    future.set_exception(error)

    def run(self, fn):
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="ch11-spawner", daemon=True)
                self._thread.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return future.result()


_SPAWNER = _Spawner()


class SandboxedPopen(subprocess.Popen):
    """A Popen whose returncode says -N when bwrap reports its child killed by signal N (128+N)."""
    wrapped = False
    groups: tuple[Path, ...] = ()  # its own pids and CPU groups (Sandbox.process_groups)

    @property
    def returncode(self):
        code = self.__dict__.get("_raw_returncode")
        if self.wrapped and code is not None and 128 < code <= 128 + 64:
            return 128 - code
        return code

    @returncode.setter
    def returncode(self, value) -> None:
        self.__dict__["_raw_returncode"] = value


# --------------------------------------------------------------------------- staging
_STAGED: dict[str, Path] = {}
_STAGE_LOCK = threading.Lock()


def staged_package(kind: str) -> Path:
    """The package of `kind`, staged once per process (in the current run folder, if any)."""
    with _STAGE_LOCK:
        if kind not in _STAGED:
            if _RUNS:
                folder = next(reversed(_RUNS)) / f"stage-{kind}"
            else:
                folder = Path(tempfile.mkdtemp(prefix=f"ch11-stage-{kind}-"))
                atexit.register(shutil.rmtree, folder, True)
            _STAGED[kind] = stage_package(kind, folder)
        return _STAGED[kind]


# --------------------------------------------------------------------------- the sandbox
def _close(cgroup: Path | None, mounted: Path | None, cpu_cgroup: Path | None = None) -> None:
    if cgroup:
        _remove_cgroup(cgroup)
    if cpu_cgroup:
        _remove_cgroup(cpu_cgroup)
    if mounted:
        _unmount(str(mounted))


class Sandbox:
    """The limits of one submission, and the means to end everything it started."""

    _open: "weakref.WeakSet[Sandbox]" = weakref.WeakSet()  # every live sandbox, so that Ctrl-C can end them all
    stopping = False               # set on Ctrl-C: start nothing new

    def __init__(self, max_memory_mb: int, isolate_network: bool, writable: Path | None,
                 private: tuple[Path, ...] = (), *, package: Path | dict[str, Path] | None = None, data_dirs=(),
                 disk_mb: int = DEFAULT_DISK_MB, tmp_mb: int = DEFAULT_TMP_MB, mode: str | None = None):
        """`writable`: the submission's own folder, the only place its code may write (mounted as a
        tmpfs of `disk_mb` where allowed: what the grader put there before is hidden, so make the
        sandbox on a new folder); `private`: what its code may not read (the fallback: with
        bubblewrap nothing is readable that is not declared); `package`: the staged grader package
        its processes import (grader.stage), or {kind: package} ("kernel", "builder"); a kind not
        given is staged once per process when first needed;
        `data_dirs`: folders its code may read (e.g. full MNIST); `mode`: "bwrap" or "landlock",
        None: sandbox_mode()."""
        self.mode = mode or sandbox_mode()
        if self.mode not in ("bwrap", "landlock"):
            raise ValueError(f"unknown sandbox mode {self.mode!r}")
        self.isolate_network = isolate_network
        self.writable = Path(writable).absolute() if writable else None
        self.package = dict(package) if isinstance(package, dict) else Path(package) if package else None
        self.data_dirs = tuple(str(Path(d).absolute()) for d in data_dirs if d)
        self.tmp_mb = tmp_mb
        self.disk_mb = disk_mb
        self.cgroup = _make_cgroup()
        self.mounted = bool(self.writable and disk_mb and os.path.isdir(self.writable)
                            and _mount_tmpfs(self.writable, disk_mb))
        procs = str(self.cgroup / "cgroup.procs") if self.cgroup else None
        # Python must stay readable, even inside a private path (`grader grade .` run in a repository
        # that holds its virtual environment). The grader itself need not: student code imports the
        # staged package, which `readable` keeps open.
        needed = {os.path.realpath(n) for n in (sys.prefix, sys.base_prefix)}
        private = tuple(str(p) for p in private
                        if not any(_inside(n, {os.path.realpath(p)}) for n in needed))
        fsize = disk_mb if (self.writable and disk_mb and not self.mounted) else None
        self.cpu_cgroup = _make_cpu_cgroup() if self.cgroup else None
        cpu_procs = str(self.cpu_cgroup / "cgroup.procs") if self.cpu_cgroup else None
        self.limits = Limits(max_memory_mb, procs, cpu_procs, isolate_network,
                             str(self.writable) if self.writable else None, private, fsize)
        self._finalizer = weakref.finalize(self, _close, self.cgroup, self.writable if self.mounted else None,
                                           self.cpu_cgroup)
        Sandbox._open.add(self)

    def package_for(self, kind: str) -> Path:
        if isinstance(self.package, dict):
            return Path(self.package[kind]) if self.package.get(kind) else staged_package(kind)
        return self.package or staged_package(kind)

    def command(self, argv: list[str], workdir: Path, *, kind: str = "kernel", package: Path | None = None,
                mnist_dir: str | None = None, data_dirs=(), init: bool = False, own_groups: bool = True
                ) -> tuple[list[str], dict[str, str], Limits]:
        """(command line, environment for Popen, limits for the preexec) to run `argv` as student code
        (`init`: as its PID namespace's init, see bwrap_args; `own_groups`: in pids and CPU groups of its own)."""
        package = Path(package) if package else self.package_for(kind)
        workdir = Path(workdir).absolute()
        env = student_env(workdir, package=package, mnist_dir=mnist_dir)
        data = tuple(str(Path(d).absolute()) for d in (*self.data_dirs, *data_dirs, mnist_dir) if d)
        if self.mode == "landlock":
            # The folder holding the work folder (the run folder, or the host's /tmp) is private too:
            # other submissions' folders and kernels' keys are there. The package and data stay readable.
            private = self.limits.private
            if self.writable is not None:
                private = (*private, str(self.writable.parent))
            limits = Limits(**{**asdict(self.limits), "env": env, "private": private,
                               "readable": (str(package), *data)})
            return list(argv), env, self._own_groups(limits) if own_groups else limits
        _, userns = _bwrap_check()
        wrapper = bwrap_args(workdir, package, writable=self.writable,
                             data_dirs=data,
                             isolate_network=self.isolate_network, env=env, tmp_mb=self.tmp_mb,
                             user_namespace=userns, init=init)
        limits = Limits(**{**asdict(self.limits), "env": env, "wrapper": tuple(wrapper)})
        return [*wrapper, *argv], {}, self._own_groups(limits) if own_groups else limits

    def process_groups(self) -> tuple[Path, ...]:
        """New groups inside the submission's, for one process it starts and all that process starts:
        a pids group (MAX_PROCESSES) and, where CPU is a hierarchy of its own (cgroup v1), a CPU group,
        so that the scheduler shares the submission's CPU between its kernels and builder, however
        many processes each runs. Empty where groups cannot be nested here (the process then joins
        the submission's groups and shares their limits)."""
        pids = _new_group(self.cgroup, {"pids.max": str(MAX_PROCESSES)}) if self.cgroup else None
        if pids is None:
            return ()
        cpu = _new_group(self.cpu_cgroup, {}) if self.cpu_cgroup else None
        return (pids, cpu) if cpu else (pids,)

    def _own_groups(self, limits: Limits) -> Limits:
        groups = self.process_groups()
        if not groups:
            return limits
        procs = {"cgroup_procs": str(groups[0] / "cgroup.procs")}
        if len(groups) > 1:
            procs["cpu_procs"] = str(groups[1] / "cgroup.procs")
        return Limits(**{**asdict(limits), **procs})

    def groups_of(self, limits: Limits) -> tuple[Path, ...]:
        """The groups of a process's own these limits put it in (empty: the submission's)."""
        return tuple(Path(procs).parent for procs, shared in ((limits.cgroup_procs, self.limits.cgroup_procs),
                                                               (limits.cpu_procs, self.limits.cpu_procs))
                     if procs and procs != shared)

    def preexec(self, limits: Limits | None = None):
        limits = limits or self.limits
        return lambda: apply_limits(limits)

    def kill_all(self) -> None:
        if self.cgroup:
            _kill_cgroup(self.cgroup)

    @classmethod
    def close_all(cls) -> None:
        cls.stopping = True
        for sandbox in list(cls._open):
            sandbox.kill_all()

    def close(self) -> None:
        """Kill everything it started, remove its cgroup, unmount its work folder's tmpfs."""
        Sandbox._open.discard(self)
        self._finalizer()


def sandbox_warnings(isolate_network: bool, private: tuple[Path, ...] = ()) -> list[str]:
    """Said once per run: which sandbox is in force, what it leaves open, what this machine does
    not allow."""
    notes = []
    mode = sandbox_mode()
    if mode == "bwrap":
        notes.append("sandbox: bubblewrap (own PID, IPC, network and user namespaces, no capabilities, "
                     "only the declared files visible, a cleared environment)")
        notes.append("bubblewrap leaves open: the kernel's system calls (no seccomp filter), CPU time "
                     "(bounded by the timeouts; shared fairly between submissions by their CPU cgroups), "
                     "reading the system folders and the Python installation")
    else:
        why = os.environ.get(MODE_ENV, "").lower() == "landlock" and f"{MODE_ENV}=landlock" or _bwrap_check()[0]
        notes.append(f"sandbox: Landlock fallback ({why})")
        notes.append("the Landlock fallback leaves open: reading every file the grader may read outside "
                     "the private paths (the instructor's checkout and the grader's package among them), "
                     "seeing the machine's processes, a /dev/shm shared with the machine, and processes that "
                     "leave their session outliving a killed grader until the next run starts")
        notes.append("each kernel and builder imports TensorFlow itself (a fork server per submission needs "
                     "bubblewrap's PID namespace)")
    if not _tmpfs_allowed():
        notes.append("the work folder cannot be a size-limited tmpfs here (no mount permission): only "
                     "RLIMIT_FSIZE caps each file, so many files can still fill the disk")
    probe = _make_cgroup()
    if probe is None:
        notes.append("no pids cgroup can be made here: a fork bomb is limited only by RLIMIT_NPROC"
                     + (", which root ignores" if os.geteuid() == 0 else ""))
    else:
        nested = _new_group(probe, {"pids.max": str(MAX_PROCESSES)})
        _remove_cgroup(probe)
        if nested is None:
            notes.append("pids cgroups cannot be nested here: a submission's kernels and builder share one "
                         "limit, so a fork bomb in a notebook can starve the builder checking it")
        if not _cpu_shared_by_group():
            notes.append("no CPU cgroup can be made here: a submission that leaves many processes "
                         "spinning slows the others' notebooks and checks")
    if mode == "landlock":
        if isolate_network and (problem := network_isolation_problem()):
            notes.append(f"student code keeps network access (no network namespace: {problem})")
        notes += confinement_problems(private)
    return notes


def student_env(workdir: Path, *, package: Path | None = None, mnist_dir: str | None = None) -> dict[str, str]:
    """The whole environment of student code: an allowlist, nothing else of the grader's."""
    workdir = Path(workdir).absolute()
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    env.update(PATH=os.pathsep.join(dict.fromkeys([bindir, "/usr/local/bin", "/usr/bin", "/bin"])),
               HOME=str(workdir), TMPDIR=str(workdir), USER="student", LOGNAME="student",
               TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0",
               PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1",
               CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", MPLBACKEND="Agg",
               # the tools' own settings folders, where the student may write
               IPYTHONDIR=str(workdir / ".ipython"), MPLCONFIGDIR=str(workdir / ".matplotlib"),
               KERAS_HOME=str(workdir / ".keras"),
               # glibc reserves 64 MiB of address space per thread arena; a kernel's many
               # threads then overrun a 2 GiB RLIMIT_AS before TensorFlow even imports.
               MALLOC_ARENA_MAX="2")
    if package is not None:
        env["PYTHONPATH"] = str(Path(package).absolute())
    if mnist_dir:
        env["MNIST_DIR"] = str(Path(mnist_dir).absolute())
    return env


def start_python(args: list[str], workdir: Path, sandbox: Sandbox, log: Path, *, package: Path | None = None,
                 kind: str = "kernel", pass_fds=(), mnist_dir: str | None = None, init: bool = False
                 ) -> subprocess.Popen:
    """Run `python ARGS` as student code in `sandbox`, in `workdir` (inside its work folder),
    output to `log`. `package`: the staged grader package (default: the sandbox's, else
    `kind` ("kernel" or "builder", grader.stage) staged once per process); `pass_fds`: file descriptors it inherits (e.g. a pipe to the grader)."""
    argv, env, limits = sandbox.command([sys.executable, *args], workdir, kind=kind, package=package,
                                        mnist_dir=mnist_dir, init=init)
    preexec = sandbox.preexec(limits)

    def spawn() -> SandboxedPopen:
        if Sandbox.stopping:  # the run was interrupted: start nothing new
            raise KeyboardInterrupt
        sink = open_log(Path(log))  # in the work folder: never through a link student code planted
        try:
            process = SandboxedPopen(argv, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                     stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=preexec,
                                     pass_fds=tuple(pass_fds))
        finally:
            os.close(sink)
        process.wrapped = bool(limits.wrapper)
        process.groups = sandbox.groups_of(limits)
        if Sandbox.stopping:  # interrupted while it started: close_all may have missed it
            kill_group(process)
        return process
    return _SPAWNER.run(spawn)


def end_groups(groups: tuple[Path, ...]) -> None:
    """Kill what is left in a process's own groups (what it started, even outside its session) and
    remove them."""
    for group in groups:
        _remove_cgroup(group)


def kill_group(process: subprocess.Popen) -> None:
    """Kill the process, its process group and its own groups; wait for it."""
    if not isinstance(process, subprocess.Popen):  # forked from a fork server: it knows how
        process.kill_group()
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    end_groups(getattr(process, "groups", ()))


# --------------------------------------------------------------------------- a run's lifecycle
_RUNS: dict[Path, int] = {}  # run folder -> the fd holding its lock


def _lock_held(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock we may just have taken
    return False


def _remove_tree(folder: Path) -> None:
    _unmount_under(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _clean_stale_runs(base: Path) -> None:
    for folder in base.iterdir():
        if not folder.is_dir() or folder in _RUNS:
            continue
        if folder.name.startswith(".new-"):  # being made by another grader, or left half made
            try:
                if time.time() - folder.stat().st_mtime < 600:
                    continue
            except OSError:
                continue
        elif _lock_held(folder / "lock"):
            continue
        _remove_tree(folder)


def _live_grader(pid: int) -> bool:
    if pid == os.getpid():
        return True
    return _pid_alive(pid)


def _clean_stale_cgroups() -> None:
    for root in (*_CGROUP_ROOTS, _CPU_ROOT):
        try:
            groups = [g for g in root.iterdir() if g.name.startswith(CGROUP_PREFIX) and g.is_dir()]
        except OSError:
            continue
        for group in groups:
            owner = group.name[len(CGROUP_PREFIX):].split("-")[0]
            if owner.isdigit() and _live_grader(int(owner)):
                continue
            try:
                empty = not (group / "cgroup.procs").read_text().split()
            except OSError:
                continue
            if owner.isdigit() or empty:  # an older name without the owner: only when empty
                _remove_cgroup(group)


def _clean_stale_mounts() -> None:
    for source, point in sorted(_mounts(), key=lambda m: -len(m[1])):
        owner = source[len(MOUNT_SOURCE) + 1:] if source.startswith(MOUNT_SOURCE + "-") else ""
        if owner.isdigit() and not _live_grader(int(owner)):
            _unmount(point)


def begin_run(base: Path | None = None) -> Path:
    """Make this process's run folder (mode 0700, locked while the process lives) under `base`
    (default: <tmp>/ch11-grader-runs), after removing what killed runs left: their run folders
    (unmounting tmpfs mounts in them), their tmpfs work folders elsewhere, and their cgroups
    (killing the processes still in them)."""
    base = Path(base) if base else Path(tempfile.gettempdir()) / RUNS_DIR
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    _clean_stale_cgroups()
    _clean_stale_mounts()
    _clean_stale_runs(base)
    making = Path(tempfile.mkdtemp(prefix=".new-", dir=base))
    fd = os.open(making / "lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    run = making.with_name("r" + making.name[len(".new-"):])
    os.rename(making, run)
    _RUNS[run] = fd
    return run


def new_workdir(run_dir: Path, name: str) -> Path:
    """A new submission folder in the run folder (mode 0700). Its name is short and ASCII: the
    kernel's unix sockets live in it, and their paths may not pass 107 bytes."""
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:16] or "s"
    return Path(tempfile.mkdtemp(prefix=f"{readable}-", dir=run_dir))


def end_run(run_dir: Path) -> None:
    """Remove the run folder (and unmount what is mounted in it); release its lock."""
    run_dir = Path(run_dir)
    with _STAGE_LOCK:
        for kind, folder in list(_STAGED.items()):
            if _inside(str(folder), {str(run_dir)}):
                del _STAGED[kind]
    _remove_tree(run_dir)
    fd = _RUNS.pop(run_dir, None)
    if fd is not None:
        os.close(fd)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        sig = signal.Signals(-returncode)
        why = {signal.SIGKILL: _(" (killed: out of time or memory)"), signal.SIGSEGV: _(" (a segmentation fault)"),
               signal.SIGABRT: _(" (aborted, often out of memory)")}.get(sig, "")
        return _("the process was killed by {signal}").format(signal=sig.name) + why
    return _("the process exited with status {status} (sys.exit or os._exit?)").format(status=returncode)

"""Grade on a Dask cluster (`--cluster tcp://scheduler:8786`, or `--cluster local:N` for N worker
processes here): the submissions go to the workers as bytes, their results come back and are written
here by grade_batch, exactly as a local run writes them.

- This machine computes the reference results once, as a local run does; a worker plugin carries them,
  the run's settings and the judge's pretrained checkpoints to every worker (also to one that joins
  later), so no worker measures the reference again.
- Each worker grades with a judge of its own (started by the plugin, for the worker's life) and the same
  sandbox as a local run; a worker with T threads grades like `--jobs T` (T submissions at once, T slots).
- A worker that dies mid-submission: Dask gives the submission to another worker (the scheduler's
  `distributed.scheduler.allowed-failures`); after the last try it gets a result that says so, marked as
  an internal error, so `--resume` grades it again.
"""
from __future__ import annotations

import hashlib
import logging
import re
import uuid
from importlib import metadata
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .config import GradeConfig
from .i18n import ngettext
from .load import pack_submission
from .results import SubmissionResult

LOCAL = re.compile(r"local:(\d+)")
ADDRESS = re.compile(r"([a-z]+://)?[^\s/:]+(:\d+)?/?|[a-z]+://\S+")  # tcp://host:8786, host:8786, tls://[::1]:8786
INSTALL = "pip install 'ch11-grader[cluster]'"
_PACKAGE = Path(__file__).resolve().parent


class ClusterError(click.UsageError):
    """The cluster cannot be used (no Dask, a bad address, no scheduler there, workers with another
    grader): one line, exit status 2, before any grading."""


def check_address(address: str) -> None:
    """A one-line error for what can be told without connecting (called by the CLI)."""
    import importlib.util
    if importlib.util.find_spec("distributed") is None:
        raise ClusterError(f"--cluster needs Dask's distributed package, which is not installed: {INSTALL}")
    local = LOCAL.fullmatch(address)
    if local and int(local.group(1)) < 1:
        raise ClusterError("--cluster local:N needs N >= 1 worker processes")
    if not local and (address.startswith("local") or not ADDRESS.fullmatch(address)):
        raise ClusterError(f"--cluster {address}: expected a Dask scheduler's address (tcp://host:8786) "
                           "or local:N (N worker processes on this machine)")


# --------------------------------------------------------------------------- same grader everywhere
def _code_digest() -> str:
    """The grader's code and the students' templates: what a worker grades with must be the same."""
    from .notebooks import assignments_dir
    digest = hashlib.sha256()
    files = [(p.relative_to(_PACKAGE).as_posix(), p) for p in sorted(_PACKAGE.rglob("*.py"))]
    files += [(f"assignments/{p.name}", p) for p in sorted(assignments_dir().glob("*.ipynb"))]
    for name, path in files:
        digest.update(f"{name}\0{len(path.read_bytes())}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def grader_identity() -> dict[str, str]:
    """What must match between this machine and every worker for their results to agree."""
    versions = {}
    for name in ("ch11-grader", "tensorflow", "tf-keras", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {**versions, "code": _code_digest()}


def mismatch(mine: dict[str, str], theirs: dict[str, str]) -> str:
    """How a worker's grader differs from this machine's, in a few words."""
    return ", ".join(f"{key} {theirs.get(key, '?')} (here {value})" for key, value in mine.items()
                     if theirs.get(key) != value)


# --------------------------------------------------------------------------- on this machine
class WorkerLost(RuntimeError):
    """The submission's last worker died while grading it (Dask's KilledWorker), in a sentence."""


class Cluster:
    """A Dask client (and with local:N, the LocalCluster it started) for one grading run; drives the
    workers as grade_batch.LocalSlots drives --jobs slots here."""

    def __init__(self, address: str, console: Console):
        check_address(address)
        self.address, self.console, self.local, self.client = address, console, None, None
        self.plugin_name = f"ch11-grader-{uuid.uuid4().hex[:12]}"  # two runs on one cluster keep apart
        self.futures: dict = {}
        self.seen: set[str] = set()
        self.notes: list[str] = []
        from distributed import Client, LocalCluster
        for logger in ("distributed", "tornado"):  # a worker's death is reported in its submission's result
            logging.getLogger(logger).setLevel(logging.CRITICAL)
        local = LOCAL.fullmatch(address)
        try:
            if local:
                self.local = LocalCluster(n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                                          memory_limit=0, dashboard_address=None, silence_logs=logging.CRITICAL)
                self.client = Client(self.local)
            else:
                self.client = Client(address)
        except Exception as error:  # noqa: BLE001 - unreachable, refused, a bad address: all one line
            self.close()
            why = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ClusterError(f"cannot connect to the Dask scheduler at {address}: {why}") from None
        try:
            self._check_workers()
        except BaseException:
            self.close()
            raise

    def _check_workers(self) -> None:
        mine = grader_identity()
        try:
            theirs = self.client.run(grader_identity)
        except Exception as error:  # noqa: BLE001 - e.g. no grader on the worker (it cannot unpickle the call)
            raise ClusterError(f"the Dask workers at {self.address} cannot run the grader ({error!r}): "
                               f"install the same grader on every worker ({INSTALL})") from None
        differ = {worker: mismatch(mine, identity) for worker, identity in theirs.items() if identity != mine}
        if differ:
            worker, how = sorted(differ.items())[0]
            more = f" (and {len(differ) - 1} more)" if len(differ) > 1 else ""
            raise ClusterError(f"the Dask worker {worker}{more} has another grader than this machine: {how}; "
                               "install the same version on every worker")
        if not theirs:
            self.console.print(f"note: the Dask cluster at {escape(self.address)} has no workers yet; "
                               "grading starts when some join", highlight=False, soft_wrap=True)

    def start(self, config: GradeConfig, reference: dict, folder: Path) -> None:
        """Give every worker what it needs to grade: the reference results, and the pretrained
        checkpoints in `folder` (this machine's cache, or its judge's copy)."""
        from .sandbox import sandbox_warnings
        from .worker import GraderPlugin
        self.notes = sandbox_warnings(config.isolate_network, config.private_paths)
        pretrained = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                      if p.is_file()}
        plugin = GraderPlugin(self.plugin_name, config, reference, pretrained, grader_identity(),
                              local=self.local is not None)
        try:
            self.client.register_plugin(plugin, name=self.plugin_name)
        except Exception as error:  # noqa: BLE001 - a worker could not set itself up
            raise ClusterError(f"a Dask worker could not be set up for grading: {error!r}") from None
        workers = self.client.nthreads()
        where = "on this machine" if self.local else f"at {self.address}"
        self.console.print(f"cluster: {len(workers)} Dask worker{'s' * (len(workers) != 1)} {where}, "
                           f"{sum(workers.values())} threads", highlight=False, soft_wrap=True)

    def _window(self) -> int:
        """Submissions sent ahead of the workers: enough to keep every thread busy, not the whole class
        (whose bytes would wait in the scheduler's memory)."""
        return max(4, 2 * sum(self.client.nthreads().values()))

    def results(self, jobs):
        """As grade_batch.LocalSlots.results: (path, result, files of its result folder) per submission."""
        from distributed import as_completed

        from .worker import grade_on_worker
        jobs = iter(jobs)
        pending = as_completed()

        def send() -> None:
            window = self._window()
            while len(self.futures) < window:
                job = next(jobs, None)
                if job is None:
                    return
                path, name = job
                future = self.client.submit(grade_on_worker, pack_submission(path), name, self.plugin_name,
                                            key=f"grade-{uuid.uuid4().hex}", pure=False)
                self.futures[future] = path, name
                pending.add(future)

        send()
        for future in pending:
            path, name = self.futures.pop(future)
            result, files = self._outcome(future, name)
            yield path, result, files
            send()

    def _outcome(self, future, name: str) -> tuple[SubmissionResult, dict[str, bytes]]:
        from distributed.scheduler import KilledWorker

        from .grade_batch import _internal_error
        try:
            result, files, worker, notes = future.result()
        except KilledWorker as error:
            tries = error.allowed_failures + 1
            last = getattr(error.last_worker, "address", error.last_worker)
            lost = WorkerLost(ngettext(
                "the Dask worker grading it stopped before it finished ({tries} try, the last on {worker}): "
                "killed, out of memory, or its machine lost",
                "the Dask worker grading it stopped before it finished ({tries} tries, the last on {worker}): "
                "killed, out of memory, or its machine lost", tries).format(tries=tries, worker=last))
            return _internal_error(name, lost), {}
        except Exception as error:  # noqa: BLE001 - a task's error or a lost scheduler: this submission's result
            return _internal_error(name, error), {}
        if worker not in self.seen:  # a worker whose sandbox differs from this machine's says so, once
            self.seen.add(worker)
            for note in notes:
                if note not in self.notes:
                    self.console.print(f"[yellow]note:[/yellow] worker {escape(worker)}: {escape(note)}",
                                       highlight=False, soft_wrap=True)
        return result, files

    def stop(self) -> None:
        """Interrupted: what has not started is cancelled (a running task ends on its worker)."""
        if self.client is not None and self.futures:
            try:
                self.client.cancel(list(self.futures))
            except Exception:  # noqa: BLE001 - the scheduler may be gone already
                pass

    def close(self) -> None:
        """Unregister the plugin (each worker's judge and run folder go), then disconnect."""
        if self.client is not None:
            try:
                self.client.unregister_worker_plugin(self.plugin_name)
            except Exception:  # noqa: BLE001 - never registered, or the scheduler is gone
                pass
            self.client.close()
            self.client = None
        if self.local is not None:
            self.local.close()
            self.local = None

"""What a Dask worker runs for grader/cluster.py: the plugin that sets the worker up for a run, and
the task that grades one submission there."""
from __future__ import annotations

import dataclasses
import shutil
import signal
import threading

from distributed import WorkerPlugin, get_worker

from .cluster import grader_identity, mismatch
from .config import GradeConfig
from .load import PackedSubmission


class GraderPlugin(WorkerPlugin):
    """Set up on every worker (and on one that joins later): the run's settings, the reference
    results, the pretrained checkpoints; a judge and a run folder for the worker's life."""

    def __init__(self, name: str, config: GradeConfig, reference: dict, pretrained: dict[str, bytes],
                 identity: dict[str, str], local: bool = False):
        self.name, self.settings, self.reference, self.pretrained = name, config, reference, pretrained
        self.identity = identity  # the client's
        self.local = local        # a worker of local:N, in the process group of the grader's command

    def setup(self, worker) -> None:
        from .i18n import set_language
        from .judge.client import Judge
        from .sandbox import Sandbox, begin_run, sandbox_warnings
        if not self._others(worker):  # an earlier run's teardown here stopped everything: start anew
            Sandbox.stopping = False
        self.sigint = None
        if self.local:  # Ctrl-C is the grader's to handle (it stops the workers), not each worker's traceback
            try:
                self.sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
            except ValueError:  # not the worker's main thread: leave it
                pass
        set_language(self.settings.lang)  # before the judge starts: it inherits the language
        self.own_identity = grader_identity()
        self.run_dir = begin_run()
        cache = self.run_dir / "cache"
        for name, data in self.pretrained.items():  # as the judge keeps it in its cache: no pretraining here
            (cache / "pretrained" / name).parent.mkdir(parents=True, exist_ok=True)
            (cache / "pretrained" / name).write_bytes(data)
        threads = getattr(getattr(worker, "state", worker), "nthreads", 1) or 1
        self.config = dataclasses.replace(self.settings, out=self.run_dir / "out", cache_dir=cache, submissions=(),
                                          run_dir=self.run_dir, jobs=threads, cluster=None)
        self.slots = threading.BoundedSemaphore(threads)
        self.judge = Judge(self.config.budget, self.config.max_memory_mb, scratch=self.run_dir,
                           private=self.config.private_paths, cache=cache / "pretrained")
        self.notes = sandbox_warnings(self.config.isolate_network, self.config.private_paths)

    def _others(self, worker) -> list:
        """The plugins of other grading runs on this worker (two graders may share a cluster)."""
        return [p for p in worker.plugins.values() if isinstance(p, GraderPlugin) and p is not self]

    def teardown(self, worker) -> None:
        from .sandbox import Sandbox, end_run
        if self._others(worker):  # end only this run's processes
            for sandbox in list(Sandbox._open):
                if sandbox.writable and sandbox.writable.is_relative_to(self.run_dir):
                    sandbox.kill_all()
        else:  # end them all, and start nothing new: a task still running here stops at once
            Sandbox.close_all()
        self.judge.interrupt()  # a measurement under way ends its task now, as stopped, not as "crashed"
        self.judge.close()
        end_run(self.run_dir)
        if self.sigint is not None:
            try:
                signal.signal(signal.SIGINT, self.sigint)
            except ValueError:
                pass


class WorkerMismatch(RuntimeError):
    pass


def grade_on_worker(packed: PackedSubmission, name: str, plugin_name: str):
    """The task: grade one submission on this worker; (result, {file name: bytes} of its result folder
    but results.json, this worker's address, its sandbox notes)."""
    from .grade_batch import _grade_safely
    from .i18n import set_language
    worker = get_worker()
    plugin = worker.plugins.get(plugin_name)
    if plugin is None:
        raise RuntimeError(f"the worker {worker.address} was not set up for this run (no {plugin_name} plugin)")
    if plugin.own_identity != plugin.identity:
        raise WorkerMismatch(f"the worker {worker.address} has another grader: "
                             f"{mismatch(plugin.identity, plugin.own_identity)}")
    config = plugin.config
    set_language(config.lang)  # the worker's process may have served a run in another language
    try:
        result = _grade_safely(packed, name, config, plugin.reference, plugin.judge, plugin.slots)
    except KeyboardInterrupt:  # the plugin's teardown stopped it (the run was interrupted): an error, no traceback
        raise RuntimeError(f"grading {name} was stopped: the run ended before it finished") from None
    folder = config.out / name
    files = {}
    if folder.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        shutil.rmtree(folder, ignore_errors=True)
    return result, files, worker.address, plugin.notes

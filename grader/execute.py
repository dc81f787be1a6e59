"""Run a notebook, cell by cell, in a fresh IPython kernel with limits (nbclient).

Errors, timeouts and dead kernels are outcomes, not exceptions: the result says
which cells ran, and where and why execution stopped.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import notebooks
from .errors import summarize
from .forkserver import ForkProvisioner, ForkServer, ForkServerError
from .i18n import _
from .kernel import launcher_argv
from .sandbox import Sandbox, end_groups

KERNEL_NAME = "ch11-grader"
MAX_OUTPUT_BYTES = 1_000_000  # per notebook; more is dropped with a notice


@dataclass
class Execution:
    notebook: nbformat.NotebookNode          # with outputs
    ran_ok: set[int] = field(default_factory=set)  # indices of cells that finished without error
    failed_cell: int | None = None
    failure: str | None = None               # why execution stopped early, for the student
    seconds: float = 0.0


class _CappedClient(NotebookClient):
    """Keeps at most MAX_OUTPUT_BYTES of output, so a print loop cannot flood the grader's memory."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._output_bytes = 0
        self._capped = False

    def output(self, outs, msg, display_id, cell_index):
        if self._capped:
            return None
        content = msg.get("content", {})
        size = len(content["text"]) if "text" in content else len(json.dumps(content))
        room = MAX_OUTPUT_BYTES - self._output_bytes
        self._output_bytes += size
        if size <= room:
            return super().output(outs, msg, display_id, cell_index)
        self._capped = True
        if "text" in content and room > 0:  # keep the beginning of the stream that overflowed
            msg = {**msg, "content": {**content, "text": content["text"][:room]}}
            super().output(outs, msg, display_id, cell_index)
        outs.append(nbformat.v4.new_output("stream", name="stderr",
                                           text="\n" + _("[grader: output beyond {limit} bytes dropped]").format(limit=f"{MAX_OUTPUT_BYTES:,}") + "\n"))
        return None


class _OneSpec(KernelSpecManager):
    """The kernel's spec, in memory: no kernel.json on disk that student code could rewrite
    before the grader starts the next kernel (its argv runs outside the sandbox)."""

    def __init__(self, spec: KernelSpec):
        super().__init__()
        self._spec = spec

    def find_kernel_specs(self) -> dict[str, str]:
        return {KERNEL_NAME: ""}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != KERNEL_NAME:
            raise KeyError(kernel_name)
        return self._spec


def _kernel_specs(workdir: Path, sandbox: Sandbox, mnist_dir: str | None, *, own_groups: bool
                  ) -> tuple[KernelSpecManager, tuple[Path, ...]]:
    """The spec of a kernel started as a process of its own, and the groups of its own it joins."""
    _, _, limits = sandbox.command([], workdir, kind="kernel", mnist_dir=mnist_dir, own_groups=own_groups)
    spec = KernelSpec(argv=launcher_argv(limits), display_name="ch11 grader (limited)",
                      language="python", env={}, resource_dir="", metadata={})
    return _OneSpec(spec), sandbox.groups_of(limits)


def _error_text(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return summarize(str(output.get("ename")), str(output.get("evalue") or ""), limit=300)
    return _("an error")


def _stop(manager: AsyncKernelManager) -> None:
    """nbclient leaves a kernel it did not create running: kill it, busy or not."""
    try:
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _close_thread_loop() -> None:
    """nbclient's blocking calls run on an event loop per thread (jupyter_core's run_sync) that
    nothing closes. Left to the garbage collector, a loop can be finalized after its own socket was
    (their order in a cycle is arbitrary) and print a traceback at exit, as an interrupted run once
    did on CI. So the thread closes it when its notebook is done; the next notebook gets a new one."""
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns where it would make one (not here: run_sync set it)
            warnings.simplefilter("ignore", DeprecationWarning)
            loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # this thread never had one
        return
    if loop.is_running() or loop.is_closed():
        return
    try:
        pending = asyncio.all_tasks(loop)
        for task in pending:  # what a killed kernel's channels were still waiting on
            task.cancel()
        if pending:  # cancelled tasks end at once; the timeout is for one that would not
            loop.run_until_complete(asyncio.wait(pending, timeout=5))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


def execute(nb: nbformat.NotebookNode, workdir: Path, timeout: float, sandbox: Sandbox,
            mnist_dir: str | None = None, cell_name=None,
            deadline: float | None = None, forks: ForkServer | None = None) -> Execution:
    """Run every code cell in order; stop at the first that fails. `cell_name` says how the
    student finds a cell in Jupyter (Prepared.cell_name: by its heading).
    `deadline` (time.monotonic()) is when the whole submission's time is up.
    `forks`: the submission's fork server, the kernel is forked from it (else, or when it cannot
    fork, the kernel is a process of its own)."""
    if Sandbox.stopping:  # the run was interrupted (perhaps while this waited for the judge): no new kernel
        raise KeyboardInterrupt
    try:
        if forks is not None and forks.ready():
            try:
                return _execute(nb, workdir, timeout, sandbox, mnist_dir, cell_name, deadline, forks)
            except ForkServerError:
                pass  # it stopped answering before the kernel ran anything: a process of its own
        return _execute(nb, workdir, timeout, sandbox, mnist_dir, cell_name, deadline, None)
    finally:
        _close_thread_loop()


def _execute(nb, workdir: Path, timeout: float, sandbox: Sandbox, mnist_dir, cell_name, deadline,
             forks: ForkServer | None) -> Execution:
    start = time.monotonic()
    cell_name = cell_name or notebooks.cell_names(nb.cells).__getitem__
    # A forked kernel gets its groups from the fork server (its provisioner ends them).
    specs, groups = _kernel_specs(workdir, sandbox, mnist_dir, own_groups=forks is None)
    # The async manager: with a blocking one, nbclient's output polling can block forever on a hang.
    # Unix sockets, not TCP: they work from the kernel's own network namespace. They and the
    # connection file (its key) live in the submission's folder, the one folder the kernel sees
    # at the same path as the grader; no other submission's kernel can reach them.
    workdir = workdir.absolute()
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs, transport="ipc",
                                 ip=str(workdir / "k"), connection_file=str(workdir / ".kernel.json"))
    provisioner = None
    if forks is not None:
        manager.kernel_id = str(uuid.uuid4())
        manager.provisioner = provisioner = ForkProvisioner(kernel_id=manager.kernel_id,
                                                            kernel_spec=manager.kernel_spec, parent=manager)
        provisioner.server = forks
    client = _CappedClient(nb, timeout=timeout, kernel_name=KERNEL_NAME, km=manager,
                           resources={"metadata": {"path": str(workdir)}}, startup_timeout=120,
                           interrupt_on_timeout=False)
    result = Execution(notebook=nb)
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    result.failed_cell = index
                    result.failure = _("the submission's time limit ran out before {cell}").format(
                        cell=cell_name(index))
                    break
                client.timeout = int(max(1, min(timeout, left))) if left is not None else int(timeout)
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    result.failed_cell = index
                    result.failure = (_("{cell} ran longer than {seconds} s") if left is None or timeout <= left
                                      else _("the submission's time limit ran out in {cell}")).format(
                        cell=cell_name(index), seconds=f"{timeout:g}")
                    break
                except DeadKernelError:
                    result.failed_cell = index
                    result.failure = _("the kernel died while running {cell} (out of memory, os._exit, or killed "
                                       "by a signal)").format(cell=cell_name(index))
                    break
                except CellExecutionError:
                    result.failed_cell = index
                    result.failure = _("{cell} raised {error}").format(cell=cell_name(index), error=_error_text(cell))
                    break
                result.ran_ok.add(index)
    except DeadKernelError:
        result.failure = _("the kernel died")
    except ForkServerError:
        if result.ran_ok or result.failed_cell is not None:
            result.failure = _("the kernel died")
        else:
            raise
    except RuntimeError as error:  # kernel did not start
        result.failure = _("the kernel could not start: {error}").format(error=error)[:300]
    finally:
        _stop(manager)  # the kernel and its process group
        # What it left running, even outside its session: its own groups.
        if provisioner is not None:
            provisioner.end_groups()
        end_groups(groups)
    result.seconds = time.monotonic() - start
    return result

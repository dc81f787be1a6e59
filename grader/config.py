"""All of a grading run's settings, built once from the command line and passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GradeConfig:
    out: Path
    data: str = "sample"              # "sample" (bundled) or "full"
    mnist_dir: str | None = None
    timeout: float = 300.0            # longest any single cell, build or measurement may run, seconds
    submission_timeout: float = 1800.0  # wall clock for one whole submission, seconds
    max_memory_mb: int = 4096         # address-space limit of every process running student code
    epochs: int = 1                   # budget the notebooks' own training cells run with
    harness_epochs: int = 3           # budget of the judge's training comparisons
    isolate_network: bool = True
    resume: bool = False
    jobs: int = max(1, os.cpu_count() or 1)
    cache_dir: Path = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ch11-grader"
    submissions: tuple[Path, ...] = ()  # the whole batch: no student's code may read another's
    run_dir: Path | None = None       # this run's private folder (sandbox.begin_run): work folders go in it
    lang: str = "en"                  # of what students read (i18n.py): results.json, feedback.html, problems
    cluster: str | None = None        # a Dask scheduler's address, or local:N (grader/cluster.py)
    # Fork each submission's kernels and builder from a fork server in its sandbox (one TensorFlow import
    # per submission); CH11_FORK_SERVER=0: a process per kernel and builder (for comparison).
    fork_server: bool = os.environ.get("CH11_FORK_SERVER", "1") != "0"

    @property
    def private_paths(self) -> tuple[Path, ...]:
        """What student code may not read (bubblewrap shows it none of these; the Landlock fallback
        denies them): the solutions, the instructor's checkout (its tests, examples, history and the
        grader's hidden checks), the reference's results, every result and the gradebook, and the
        batch's submissions."""
        from .notebooks import reference_dir
        try:
            solutions = (reference_dir(),)
        except FileNotFoundError:  # a Dask worker with the grader's wheel: no solutions here to hide
            solutions = ()
        checkout = solutions[0].parent if solutions else None
        around = tuple(checkout.iterdir()) if checkout and (checkout / "pyproject.toml").exists() else ()
        return (*solutions, *around, self.cache_dir, self.out, *self.submissions)

    @property
    def budget(self) -> dict:
        return {"data": self.data, "mnist_dir": self.mnist_dir, "epochs": self.harness_epochs}

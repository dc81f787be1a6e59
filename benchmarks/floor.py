"""The compute floor of grading one submission: the same trainings and checks, in ONE warm process.

    python benchmarks/floor.py [--only 01,02]    # prints one JSON line

What grading the reference as a submission computes, without what grading adds around it (kernels,
sandboxes, the builder and judge processes, their TensorFlow imports, the protocol): every code
cell of the reference notebooks prepared with the grading budget, run in this process one notebook
after another (self-checks and training included); then, for every check, the builder's work (the
reference function called on the check's scaffold) and the judge's measurement of what it built,
and the judge's measurements of the models notebooks 07 and 08 hand in. TensorFlow is imported
once, before the clock starts (its cost is printed apart), with the thread settings every grading
process has (one thread per op). Needs the warm reference cache (the pretrained models): run the
grader once first.

Prints {"import": CPU s, "notebooks": CPU s, "checks": CPU s, "floor": notebooks + checks, "wall": s}.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# As every grading process runs (grader.sandbox.student_env, the judge's environment).
os.environ.update(TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1",
                  TF_NUM_INTEROP_THREADS="1", TF_NUM_INTRAOP_THREADS="1", PYTHONHASHSEED="0", MPLBACKEND="Agg")
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def _chdir(folder: Path):  # contextlib.chdir, which Python 3.10 lacks
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _cpu() -> float:
    return time.process_time()


class _InProcessJudge:
    """The judge's measurements, called here (the judge server calls the same functions in a child)."""

    def __init__(self, context, measures):
        self.context, self.measures = context, measures

    def measure(self, exercise, check, info, blobs, timeout):
        from grader.judge.client import Measured
        from grader.judge.imported import Artifact
        values = self.measures[(exercise, check)](Artifact(info, blobs), self.context)
        return Measured("ok", values=values)


def _run_notebook(nb, folder: Path) -> None:
    """Every code cell, in order, in one namespace, as a kernel runs them (output discarded)."""
    namespace: dict = {"__name__": "__main__"}
    with _chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"<{folder.name}>", "exec"), namespace)  # noqa: S102 - the reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated notebook name prefixes")
    args = parser.parse_args()
    only = tuple(p for p in args.only.split(",") if p)
    start = _cpu()
    import tensorflow.compat.v1 as tf  # noqa: F401
    import grader.graphs  # noqa: F401
    imported = _cpu() - start

    import nbformat
    from grader import notebooks
    from grader.builder import _load_definitions
    from grader.checks import _reference_programs, pretrained_cache, tasks_for
    from grader.config import GradeConfig
    from grader.exercises import EXERCISES
    from grader.exercises.transfer_mnist.model import PROVIDED
    from grader.graphs import Budget
    from grader.handins import measure_handins, needs_provided
    from grader.judge import imported as judge_graphs, training
    from grader.judge.server import Context, _measures
    from grader.prepare import prepare

    work = Path(tempfile.mkdtemp(prefix="ch11-floor-"))
    config = GradeConfig(out=work / "out")
    pretrained = pretrained_cache(config)
    if not (pretrained / "exercise_8_model").exists():
        raise SystemExit(f"no pretrained models in {pretrained}: run `grader grade reference` once first")
    budget = Budget(**config.budget)
    training.mnist(budget)  # the judge loads the data once per run, before any measurement
    measures, scaffolds = _measures()
    judge_graphs.keep_scaffolds(judge_graphs.build_scaffolds(scaffolds))  # as the judge does once per run
    judge = _InProcessJudge(Context(budget, work, str(pretrained / "model.ckpt"), []), measures)
    paths = [p for p in sorted(notebooks.reference_dir().glob("*.ipynb")) if not only or p.name.startswith(only)]
    kept = {p.stem for p in paths}
    wall = time.monotonic()

    start = _cpu()
    handed_in = []
    for path in paths:
        nb = prepare(nbformat.read(str(path), as_version=4), config).nb
        folder = work / path.stem
        folder.mkdir()
        exercises = [e for e in notebooks.solution_cells(nb) if e in EXERCISES]
        if needs_provided(exercises):
            shutil.copytree(pretrained / PROVIDED, folder / PROVIDED)
        _run_notebook(nb, folder)
        tf.reset_default_graph()
        handed_in.append((folder, exercises))
    notebooks_cpu = _cpu() - start

    start = _cpu()
    programs, program_of = _reference_programs()
    tasks = tasks_for([e for e in EXERCISES if program_of.get(e) in kept], program_of)
    build_dir = work / "build"
    shutil.copytree(pretrained, build_dir / "provided")  # what every builder gets
    broken = []
    for task in tasks:  # as the builder loads and builds, then the judge measures
        import importlib
        build = importlib.import_module(f"grader.exercises.{task['exercise']}.build").BUILDS[task["check"]]
        fn = _load_definitions(programs[task["program"]])[task["function"]]
        with _chdir(build_dir):
            info, blobs = build(fn, str(build_dir))
        scratch = Path(tempfile.mkdtemp(dir=work))
        with _chdir(scratch):
            judge.measure(task["exercise"], task["check"], info, blobs, 300)
    for folder, exercises in handed_in:
        with _chdir(folder):
            for tid, outcome in measure_handins(folder, exercises, judge, 300).items():
                if outcome.status != "ok":
                    broken.append(f"{tid}: {outcome.status} {outcome.message}")
    checks_cpu = _cpu() - start
    if broken:
        raise SystemExit(f"the reference fails its own checks here: {broken}")
    print(json.dumps({"import": round(imported, 2), "notebooks": round(notebooks_cpu, 2),
                      "checks": round(checks_cpu, 2), "floor": round(notebooks_cpu + checks_cpu, 2),
                      "wall": round(time.monotonic() - wall, 2), "notebooks_run": len(paths), "checks_run": len(tasks)}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

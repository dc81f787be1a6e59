"""Side-by-side timings, in one run, on the bundled data and the grader's budget.

    python benchmarks/bench.py [--batch-size 8] [--only 01,02,03,04] [--out benchmarks/results.md]
    python benchmarks/bench.py --cluster-only [--batch-size 8]   # writes benchmarks/results-cluster.md

- floor: `jupyter nbconvert --to notebook --execute` of the reference notebooks, one
  after another, prepared exactly as the grader prepares them (same n_epochs and data);
  `--only` keeps the notebooks whose names start with the given prefixes (in the floor, the
  graded reference and the batch alike), to compare with figures measured on fewer notebooks;
- `grader grade reference` with --jobs 1 and --jobs <cores>, with a cold and a warm
  reference cache;
- a batch of submissions (copies of examples/submissions), --jobs 1 against --jobs 2;
- the peak memory (RSS) of the largest single process each command started.

`--cluster-only` measures only the same batch graded with `--jobs 2` and with `--cluster local:2`
(two Dask worker processes of one thread each, on this machine), warm cache, side by side.

Prints ratios and writes a Markdown table (with the machine it ran on) for the README.

    python benchmarks/bench.py --cpu-only [--copies 4] [--jobs 2] [--out benchmarks/results-cpu.md]

measures CPU seconds instead (user + system of every process a command started, grandchildren in
the sandboxes included): the compute floor (benchmarks/floor.py: the same trainings and checks in
one warm process), then grading --copies copies of the reference with a warm cache, a process per
kernel and builder (CH11_FORK_SERVER=0, as before the fork server) and with the fork server, side
by side in one run; per submission, and over the floor.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def _timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of the largest process it started) for one command."""
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so run each command from a fresh helper.
    probe = ("import resource, subprocess, sys, time, json\n"
             "t = time.monotonic(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL)\n"
             "print(json.dumps([time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
             " r.returncode]))")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, check=True)
    import json
    seconds, rss_kib, code = json.loads(out.stdout)
    if code not in (0, 1):
        raise SystemExit(f"{command[:4]} failed with status {code}")
    return seconds, rss_kib / 1024


def _kept(path: Path, only: tuple[str, ...]) -> bool:
    return not only or path.name.startswith(only)


def _prepared_references(folder: Path, only: tuple[str, ...]) -> list[Path]:
    from grader.config import GradeConfig
    from grader.prepare import prepare
    config = GradeConfig(out=folder)
    folder.mkdir(parents=True)
    paths = []
    for path in sorted(p for p in (ROOT / "reference").glob("*.ipynb") if _kept(p, only)):
        target = folder / path.name
        nbformat.write(prepare(nbformat.read(str(path), as_version=4), config).nb, str(target))
        paths.append(target)
    return paths


def _batch(folder: Path, size: int, only: tuple[str, ...]) -> list[str]:
    examples = sorted((ROOT / "examples" / "submissions").iterdir())
    if not any(_kept(p, only) for e in examples for p in ([e] if e.is_file() else e.glob("*.ipynb"))):
        examples = [ROOT / "reference"]  # the examples hold none of these notebooks (07, 08): the reference's
    folder.mkdir(parents=True)
    paths = []
    for i in range(size):
        source = examples[i % len(examples)]
        target = folder / f"{i:02d}_{source.name}"
        if source.is_dir():
            shutil.copytree(source, target, ignore=lambda d, names: [n for n in names if n.endswith(".ipynb")
                                                                     and not _kept(Path(n), only)])
        else:
            shutil.copy(source, target)
        paths.append(str(target))
    return paths


# --------------------------------------------------------------------------- --cpu-only
# Counting every process's CPU time: a cpuacct cgroup (cgroup v1) holding the command, which every
# descendant stays in (the sandbox moves student processes only in the pids and cpu hierarchies), dead ones
# included. Without one, RUSAGE_CHILDREN of a subreaper: it misses the processes a PID namespace's
# init auto-reaps when it dies (a kernel under a killed bwrap), so it undercounts.
_CPU_PROBE = """
import ctypes, json, os, resource, subprocess, sys, time
if sys.argv[1]:
    open(sys.argv[1], "w").write(str(os.getpid()))
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come here, to be reaped and counted
t = time.monotonic()
r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
left, deadline = 0, time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.1)
else:
    left = 1
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([u.ru_utime + u.ru_stime, wall, r.returncode, left]))
"""
_CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def _cpu_timed(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(CPU seconds of the whole process tree, wall seconds, how they were counted) of one command."""
    group = None
    if (_CPUACCT / "cpuacct.usage").exists() and os.access(_CPUACCT, os.W_OK):
        group = _CPUACCT / f"ch11-bench-{os.getpid()}-{time.monotonic_ns()}"
        group.mkdir()
    try:
        out = subprocess.run([sys.executable, "-c", _CPU_PROBE, str(group / "cgroup.procs") if group else "",
                              *command], capture_output=True, text=True, env={**os.environ, **(env or {})},
                             check=True)
        cpu, wall, code, left = json.loads(out.stdout)
        if code not in (0, 1):
            raise SystemExit(f"{command[:4]} failed with status {code}")
        if left:
            raise SystemExit(f"{command[:4]} left processes running: their CPU time cannot be counted")
        if group is None:
            return cpu, wall, "RUSAGE_CHILDREN (may undercount)"
        return int((group / "cpuacct.usage").read_text()) / 1e9, wall, "cpuacct cgroup"
    finally:
        if group is not None:
            group.rmdir()


def _machine() -> str:
    cores = os.cpu_count() or 1
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return (f"{cores} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def _timed_cpu(command: list[str]) -> tuple[float, float, float]:
    """(seconds, peak RSS in MiB of its largest process, CPU seconds of all its processes) for one
    command: on a machine others load, the CPU seconds say what the wall clock cannot."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "t = time.monotonic(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL)\n"
             "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(json.dumps([time.monotonic() - t, u.ru_maxrss, u.ru_utime + u.ru_stime, r.returncode]))")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    import json
    seconds, rss_kib, cpu, code = json.loads(out.stdout)
    if code not in (0, 1):
        raise SystemExit(f"{command[:4]} failed with status {code}")
    return seconds, rss_kib / 1024, cpu


def cluster_only(batch_size: int, out: Path) -> None:
    """The same batch with --jobs 2 and on --cluster local:2, warm cache: what Dask costs on one machine."""
    work = Path(tempfile.mkdtemp(prefix="ch11-bench-cluster-"))
    batch = _batch(work / "batch", batch_size, ())
    print("warming the reference cache (not timed) ...", flush=True)
    _timed_cpu([*GRADER, "grade", batch[-1], "--out", str(work / "warm"), "--jobs", "2"])
    rows = {}
    # The cluster first: on a machine whose load changes, the order is not always to one's advantage.
    for label, option in (("--cluster local:2", ["--cluster", "local:2"]), ("--jobs 2", ["--jobs", "2"])):
        load = os.getloadavg()[0]
        seconds, rss, cpu = _timed_cpu([*GRADER, "grade", *batch, "--out", str(work / label.split()[-1]), *option])
        rows[label] = (f"batch of {batch_size} submissions {label}", seconds, rss, cpu, load)
        print(f"{rows[label][0]:45s} {seconds:7.1f} s  {cpu:7.1f} CPU-s  peak {rss:6.0f} MiB  (load {load:.1f} "
              "before)", flush=True)
    jobs, cluster = rows["--jobs 2"], rows["--cluster local:2"]
    ratios = [("batch throughput, --cluster local:2 / --jobs 2 (goal >= 0.9)", jobs[1] / cluster[1]),
              ("CPU seconds, --cluster local:2 / --jobs 2", cluster[3] / jobs[3])]
    for label, value in ratios:
        print(f"{label:65s} {value:7.2f}")
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {_machine()}; bundled data, grading budget, "
             "warm reference cache. The load average (1 min) before each run says how busy the machine was.", "",
             "| run | seconds | CPU seconds (all its processes) | peak RSS of one process (MiB) | load before |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {label} | {seconds:.1f} | {cpu:.1f} | {rss:.0f} | {load:.1f} |"
              for label, seconds, rss, cpu, load in (jobs, cluster)]
    lines += ["", "| ratio | value |", "|---|---:|"] + [f"| {label} | {value:.2f} |" for label, value in ratios]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    shutil.rmtree(work, ignore_errors=True)




def _load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def cpu_only(copies: int, jobs: int, out: Path) -> None:
    """CPU seconds per submission, a process per kernel against the fork server, over the floor."""
    work = Path(tempfile.mkdtemp(prefix="ch11-bench-cpu-"))
    reference = work / "reference"
    shutil.copytree(ROOT / "reference", reference)
    batch = []
    for i in range(copies):
        batch.append(work / f"copy{i:02d}")
        shutil.copytree(reference, batch[-1])
    load_before = _load()
    # The reference cache warm (and checked), so that both runs below grade only the submissions.
    _, _, counted = _cpu_timed([*GRADER, "grade", str(reference), "--out", str(work / "warm"), "--jobs", str(jobs)])
    floor_run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py")], capture_output=True,
                               text=True, check=True)
    floor = json.loads(floor_run.stdout.strip().splitlines()[-1])
    print(f"floor: {floor}", flush=True)
    rows = []
    for label, env in (("a process per kernel and builder (CH11_FORK_SERVER=0)", {"CH11_FORK_SERVER": "0"}),
                       ("fork server per submission", {"CH11_FORK_SERVER": "1"})):
        cpu, wall, counted = _cpu_timed([*GRADER, "grade", *map(str, batch), "--out", str(work / f"out-{len(rows)}"),
                                "--jobs", str(jobs)], env)
        rows.append((label, cpu / copies, wall, cpu / copies / floor["floor"]))
        print(f"{label:55s} {cpu / copies:7.1f} CPU s per submission, {wall:6.1f} s wall, "
              f"{rows[-1][3]:.2f}x the floor", flush=True)
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {_machine()}; bundled data, "
             f"grading budget; {load_before} before, {_load()} after (other work on the machine).", "",
             f"`python benchmarks/bench.py --cpu-only --copies {copies} --jobs {jobs}`: CPU seconds (user + system "
             f"of every process, sandboxed grandchildren included; counted by {counted}) of grading {copies} copies of the reference "
             f"({floor['notebooks_run']} notebooks, {floor['checks_run']} builds and measurements plus the "
             f"handed-in models) with `--jobs {jobs}` and a warm cache, per submission (the run's own start, the "
             "judge's import included, shared by the copies).", "",
             "| floor: one warm process (benchmarks/floor.py) | CPU s |", "|---|---:|",
             f"| the notebooks' cells (training, self-checks) | {floor['notebooks']:.1f} |",
             f"| the checks (builds, the judge's measurements, the handed-in models) | {floor['checks']:.1f} |",
             f"| **floor** | **{floor['floor']:.1f}** |",
             f"| (a TensorFlow import, not in the floor) | {floor['import']:.1f} |", "",
             "| grading | CPU s per submission | wall s (all copies) | over the floor |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {cpu:.1f} | {wall:.1f} | {ratio:.2f}x |" for label, cpu, wall, ratio in rows]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None,
                        help="default: benchmarks/results.md (results-cluster.md with --cluster-only, "
                             "results-cpu.md with --cpu-only)")
    parser.add_argument("--only", default="", help="comma-separated notebook name prefixes, e.g. 01,02,03,04")
    parser.add_argument("--cluster-only", action="store_true",
                        help="only the batch with --jobs 2 against --cluster local:2 (needs the cluster extra)")
    parser.add_argument("--cpu-only", action="store_true", help="CPU seconds per submission over the compute floor")
    parser.add_argument("--copies", type=int, default=4, help="with --cpu-only: copies of the reference graded")
    parser.add_argument("--jobs", type=int, default=2, help="with --cpu-only: --jobs of the grader")
    args = parser.parse_args()
    if args.cluster_only:
        cluster_only(args.batch_size, args.out or ROOT / "benchmarks" / "results-cluster.md")
        return
    if args.cpu_only:
        cpu_only(args.copies, args.jobs, args.out or ROOT / "benchmarks" / "results-cpu.md")
        return
    args.out = args.out or ROOT / "benchmarks" / "results.md"
    only = tuple(p for p in args.only.split(",") if p)
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="ch11-bench-"))
    rows: list[tuple[str, float, float]] = []

    def run(label, command, env=None):
        seconds, rss = _timed(command, env)
        rows.append((label, seconds, rss))
        print(f"{label:55s} {seconds:7.1f} s  peak {rss:6.0f} MiB", flush=True)
        return seconds

    notebooks = _prepared_references(work / "floor", only)
    floor = run(f"floor: nbconvert --execute, {len(notebooks)} reference notebooks",
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                 "--output-dir", str(work / "floor-out"), *map(str, notebooks)])
    cold_cache = {"XDG_CACHE_HOME": str(work / "cold-cache")}
    reference = work / "reference"  # one submission holding the (kept) reference notebooks
    reference.mkdir()
    for path in (ROOT / "reference").glob("*.ipynb"):
        if _kept(path, only):
            shutil.copy(path, reference / path.name)
    grade = [*GRADER, "grade", str(reference)]
    cold1 = run("grader grade reference --jobs 1 (cold cache)",
                [*grade, "--out", str(work / "g1c"), "--jobs", "1"], cold_cache)
    warm1 = run("grader grade reference --jobs 1 (warm cache)", [*grade, "--out", str(work / "g1w"), "--jobs", "1"],
                cold_cache)
    shutil.rmtree(work / "cold-cache")
    coldn = run(f"grader grade reference --jobs {cores} (cold cache)",
                [*grade, "--out", str(work / "gnc"), "--jobs", str(cores)], cold_cache)
    warmn = run(f"grader grade reference --jobs {cores} (warm cache)",
                [*grade, "--out", str(work / "gnw"), "--jobs", str(cores)], cold_cache)
    batch = _batch(work / "batch", args.batch_size, only)
    b1 = run(f"batch of {args.batch_size} submissions --jobs 1",
             [*GRADER, "grade", *batch, "--out", str(work / "b1"), "--jobs", "1"], cold_cache)
    b2 = run(f"batch of {args.batch_size} submissions --jobs 2",
             [*GRADER, "grade", *batch, "--out", str(work / "b2"), "--jobs", "2"], cold_cache)
    ratios = [
        ("grader (warm, --jobs 1) / floor", warm1 / floor),
        (f"grader (warm, --jobs {cores}) / floor", warmn / floor),
        ("grader (cold, --jobs 1) / floor", cold1 / floor),
        ("reference training saved by the cache (cold - warm, --jobs 1)", cold1 - warm1),
        ("batch throughput, --jobs 2 / --jobs 1", b1 / b2),
    ]
    for label, value in ratios:
        print(f"{label:55s} {value:7.2f}")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {cores} cores ({cpu}), {platform.system()} "
             f"{platform.release()}, Python {platform.python_version()}; bundled data, grading budget.", "",
             "| run | seconds | peak RSS of one process (MiB) |", "|---|---:|---:|"]
    lines += [f"| {label} | {seconds:.1f} | {rss:.0f} |" for label, seconds, rss in rows]
    lines += ["", "| ratio | value |", "|---|---:|"] + [f"| {label} | {value:.2f} |" for label, value in ratios]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

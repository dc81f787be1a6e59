"""How much CPU a submission keeps when another leaves many processes spinning.

    python benchmarks/fair_share.py [--hogs 30] [--seconds 6]

Two sandboxes as a grading run makes them: a "hog" whose code forks --hogs processes that leave
their session and spin (as processes a student leaves behind would), and a "victim" spinning one.
Side by side in one run: with each sandbox in a CPU cgroup of its own (the grader's default) and
with the CPU groups turned off (as before; on cgroup v2 the controller stays on for the pids groups,
so there both numbers are grouped). Prints the victim's CPU seconds in both, and the ratio.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import sandbox as sb  # noqa: E402 - after the checkout is on the path

SPIN = """
    import os, resource, time
    for _ in range({processes} - 1):
        if os.fork() == 0:
            os.setsid()
            end = time.monotonic() + {seconds}
            while time.monotonic() < end:
                pass
            os._exit(0)
    end = time.monotonic() + {seconds}
    while time.monotonic() < end:
        pass
    print(resource.getrusage(resource.RUSAGE_SELF).ru_utime)
"""


def victims_cpu_seconds(hogs: int, seconds: float) -> float:
    run = sb.begin_run(Path(tempfile.mkdtemp(prefix="ch11-fair-")))
    started = []
    try:
        for name, processes in (("hog", hogs), ("victim", 1)):
            workdir = sb.new_workdir(run, name)
            box = sb.Sandbox(1024, True, workdir)
            code = textwrap.dedent(SPIN.format(processes=processes, seconds=seconds))
            started.append((box, sb.start_python(["-c", code], workdir, box, run / f"{name}.log")))
        started[1][1].wait(seconds + 60)
        return float((run / "victim.log").read_text().split()[-1])
    finally:
        for box, process in started:
            sb.kill_group(process)
            box.close()
        sb.end_run(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    grouped = victims_cpu_seconds(args.hogs, args.seconds)
    make_cpu_cgroup = sb._make_cpu_cgroup
    sb._make_cpu_cgroup = lambda: None  # as before: the CPU shared by process, not by submission
    try:
        shared = victims_cpu_seconds(args.hogs, args.seconds)
    finally:
        sb._make_cpu_cgroup = make_cpu_cgroup
    print(f"victim's CPU seconds over {args.seconds:g} s beside {args.hogs} spinning processes: "
          f"{grouped:.2f} with a CPU group per sandbox, {shared:.2f} without ({grouped / max(shared, 1e-3):.1f}x)")


if __name__ == "__main__":
    main()

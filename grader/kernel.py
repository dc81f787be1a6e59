"""The student's kernel launcher: `python -c <launch snippet> LIMITS_JSON -f CONNECTION_FILE`.

Run by jupyter_client, outside the sandbox: it applies the submission's limits to itself (die
with the grader, the cgroup, the rlimits), then execs the kernel, with exactly the student's
environment: under bubblewrap (`bwrap ... python <no links> ipykernel_launcher`) when the limits carry
its command line, else (the Landlock fallback) confined here and exec'd directly. The limits
hold for everything the notebook runs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from grader.sandbox import Limits, apply_limits

ROOT = str(Path(__file__).resolve().parent.parent)  # where `grader` is imported from


def launcher_argv(limits: Limits) -> list[str]:
    """The kernelspec's argv. Not `python -m grader.kernel`: that would import from the current
    folder first, the submission's own, where student code could have planted a `grader`."""
    snippet = (f"import sys; sys.path[:] = [{ROOT!r}] + [p for p in sys.path if p not in ('', '.')]; "
               "from grader.kernel import main; main()")
    return [sys.executable, "-c", snippet, limits.to_json(), "-f", "{connection_file}"]


# Not `-m grader.nolinks`: that would import from the kernel's folder first, where a process the
# student left behind could have planted a `grader`.
_NO_LINKS_THEN = ("import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
                  "from grader.nolinks import main; main()")


def main() -> None:
    limits = Limits.from_json(sys.argv[1])
    apply_limits(limits)
    # TensorFlow's C++ logging and ipykernel's warnings go to the process's own stderr, not to the
    # notebook (cell output is captured by ipykernel): keep them off the grader's terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # Python's own prints still reach the notebook; what C libraries write to the file
    # descriptors (TensorFlow's absl/oneDNN start-up lines) is not captured into it.
    kernel = [sys.executable, "-m", "ipykernel_launcher", "--IPKernelApp.capture_fd_output=False", *sys.argv[2:]]
    if limits.wrapper:  # inside bubblewrap, links are forbidden before the kernel starts (grader/nolinks.py)
        inside = [sys.executable, "-c", _NO_LINKS_THEN, *kernel[2:]]
        os.execve(limits.wrapper[0], [*limits.wrapper, *inside], {})
    os.execve(sys.executable, kernel, dict(limits.env))


if __name__ == "__main__":
    main()

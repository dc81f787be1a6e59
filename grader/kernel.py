"""The student's kernel: `python -m grader.kernel LIMITS_JSON -f CONNECTION_FILE`.

Applies the submission's limits to itself, then becomes an ordinary IPython
kernel (exec), so the limits hold for everything the notebook runs.
"""
from __future__ import annotations

import os
import sys

from grader.sandbox import Limits, apply_limits


def main() -> None:
    apply_limits(Limits.from_json(sys.argv[1]))
    # TensorFlow's C++ logging and ipykernel's warnings go to the process's own stderr, not to the
    # notebook (cell output is captured by ipykernel): keep them off the grader's terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # Python's own prints still reach the notebook; what C libraries write to the file
    # descriptors (TensorFlow's absl/oneDNN start-up lines) is not captured into it.
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher",
                              "--IPKernelApp.capture_fd_output=False", *sys.argv[2:]])


if __name__ == "__main__":
    main()

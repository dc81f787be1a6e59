"""Interrupting the grader keeps every finished result; --resume grades only the rest;
--fail-under turns low scores into exit status 1; JUnit and the Markdown summary come from the same run."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def _ctrl_c_as_in_a_terminal():
    """A suite started in the background inherits SIGINT ignored (and Python then keeps ignoring
    it): give the grader the disposition it has when a user runs it in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _first_notebooks(subs: Path, tmp_path: Path) -> list[str]:
    """dave, and alice's and bob's folders with one notebook each (the mechanics of resuming do not
    depend on how much a submission holds; six notebooks each cost ~40 s of the suite here)."""
    paths = [str(subs / "dave_leaky_relu.ipynb")]
    for name, notebook in (("alice_correct", "01_leaky_relu.ipynb"),
                           ("bob_update_ops_and_clip_by_norm", "02_batch_norm.ipynb")):
        (tmp_path / "subs" / name).mkdir(parents=True)
        shutil.copy(subs / name / notebook, tmp_path / "subs" / name / notebook)
        paths.append(str(tmp_path / "subs" / name))
    return paths


def test_interrupt_then_resume_keeps_finished_results_and_grades_the_rest(root, tmp_path, reference):
    paths = _first_notebooks(root / "examples" / "submissions", tmp_path)
    out = tmp_path / "out"
    first = subprocess.Popen([*GRADER, "grade", *paths, "--out", str(out), "--jobs", "1"],
                             preexec_fn=_ctrl_c_as_in_a_terminal,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not list(out.glob("*/results.json")) and time.time() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    finished = {p.parent.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.glob("*/results.json")}
    assert 1 <= len(finished) < 3, finished.keys()

    second = subprocess.run([*GRADER, "grade", *paths, "--out", str(out), "--jobs", "2", "--resume",
                             "--fail-under", "85", "--junit", str(out / "junit.xml"),
                             "--summary-md", str(out / "summary.md")], capture_output=True, text=True, timeout=600)
    assert second.returncode == 1, second.stderr[-2000:]  # bob's batch norm is wrong: 0 of 2 points
    assert "below 85%" in second.stderr and "bob_update_ops_and_clip_by_norm" in second.stderr
    for name, (data, mtime) in finished.items():
        path = out / name / "results.json"
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime, f"{name} was regraded"
    for name in ("dave_leaky_relu", "alice_correct", "bob_update_ops_and_clip_by_norm"):
        assert json.loads((out / name / "results.json").read_text())["tests"]
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 4, rows  # header + all three, although the second run graded only some
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        assert sorted(r["path"] for r in csv.DictReader(f)) == sorted(paths)  # each row says whose it is
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert {s.get("name") for s in suites} == {"dave_leaky_relu", "alice_correct",
                                               "bob_update_ops_and_clip_by_norm"} - set(finished)
    assert "|" in (out / "summary.md").read_text()


@pytest.mark.parametrize("delay", [0.0, 1.5, 4.0])
def test_interrupt_as_submissions_start_ends_cleanly(root, tmp_path, reference, delay):
    """Ctrl-C while submissions are still setting up (the race CI once hit: a thread starting its
    notebooks after the interpreter began to shut down) must end with 130 and no traceback."""
    subs = root / "examples" / "submissions"
    # Three submissions on two slots: one is still queued when the interrupt comes.
    paths = [str(subs / "alice_correct"), str(subs / "bob_update_ops_and_clip_by_norm"),
             str(subs / "dave_leaky_relu.ipynb")]
    run = subprocess.Popen([*GRADER, "grade", *paths, "--out", str(tmp_path / "out"), "--jobs", "2"],
                           preexec_fn=_ctrl_c_as_in_a_terminal,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in run.stderr:  # the reference is cached: this line comes just before grading starts
        seen.append(line)
        if line.startswith("reference results"):
            break
    time.sleep(delay)
    run.send_signal(signal.SIGINT)
    # The grader ends its kernels and threads at once; waiting on the queued (cancelled)
    # submission once made it hang for a minute, so a hang here fails the test.
    _, rest = run.communicate(timeout=20)
    stderr = "".join(seen) + rest
    assert run.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "Exception in thread" not in stderr, stderr[-2000:]
    assert "grader: interrupted" in stderr


def test_interrupt_that_lands_on_another_thread_ends_the_run_at_once(root, tmp_path, reference):
    """The kernel may hand a process's SIGINT to any of its threads, and Python raises it only when
    the main thread runs: a main thread waiting for the next result with no timeout kept grading
    for up to a minute (seen on a loaded machine). Here the signal goes to a thread that is not the main one."""
    subs = root / "examples" / "submissions"
    paths = [str(subs / "alice_correct"), str(subs / "bob_update_ops_and_clip_by_norm")]
    run = subprocess.Popen([*GRADER, "grade", *paths, "--out", str(tmp_path / "out"), "--jobs", "2"],
                           preexec_fn=_ctrl_c_as_in_a_terminal,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in run.stderr:
        seen.append(line)
        if line.startswith("reference results"):
            break
    time.sleep(4)  # notebooks and builders are running; no submission is done
    others = sorted(int(t) for t in os.listdir(f"/proc/{run.pid}/task") if int(t) != run.pid)
    assert others, "the grader has no other thread"
    os.kill(others[-1], signal.SIGINT)  # a thread id: Linux delivers it to that thread
    sent = time.monotonic()
    _, rest = run.communicate(timeout=60)
    took = time.monotonic() - sent
    stderr = "".join(seen) + rest
    assert run.returncode == 130, stderr[-2000:]
    assert took < 10, f"the run went on for {took:.0f} s after the interrupt"
    assert "Traceback" not in stderr and "Exception in thread" not in stderr, stderr[-2000:]


def test_resume_retries_a_result_the_grader_failed_on(root, tmp_path, reference):
    """A results.json left by an internal grader error (a bug since fixed, say) is not a finished result."""
    out = tmp_path / "out"
    (out / "dave_leaky_relu").mkdir(parents=True)
    failed = {"score": 0, "execution_time": 0, "output": "dave_leaky_relu: 0 / 10 points. internal grader error: "
              "ZMQError('File name too long')", "tests": []}
    (out / "dave_leaky_relu" / "results.json").write_text(json.dumps(failed))
    run = subprocess.run([*GRADER, "grade", str(root / "examples" / "submissions" / "dave_leaky_relu.ipynb"),
                          "--out", str(out), "--resume"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "0 of 1 submissions already have results" in run.stderr
    assert json.loads((out / "dave_leaky_relu" / "results.json").read_text())["score"] == 1

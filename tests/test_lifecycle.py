"""A grading run's life with hostile inputs: result folder names (unique, always inside --out,
traceable to their paths), grades.csv rebuilt from every results.json, SIGTERM and SIGKILL then
--resume, one grader per --out, and malformed nbgrader metadata as a reason, never an internal error.

The real runs grade copies of the student templates (valid notebooks whose functions raise
NotImplementedError: a few seconds each); most hostile names are given to empty files, which are
graded at once ("... is empty")."""
import csv
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader import grade_batch, report
from grader.exercises import EXERCISES
from grader.results import INTERNAL_ERROR, SubmissionResult

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]
TEMPLATES = Path(__file__).resolve().parents[1] / "assignments"


def _default_signals():
    """A suite started in the background inherits SIGINT ignored; give the grader what a terminal gives."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _template(path: Path, stem: str = "01_leaky_relu") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(TEMPLATES / f"{stem}.ipynb", path)
    return path


def _empty(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def _rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _results(out: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*/results.json")}


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _malformed_metadata(path: Path) -> Path:
    """The leaky_relu template with each kind of malformed metadata on one of its cells."""
    nb = json.loads((TEMPLATES / "01_leaky_relu.ipynb").read_text())
    cells = nb["cells"]
    assert cells[7]["metadata"]["nbgrader"]["grade_id"] == "leaky_relu"
    cells[0]["metadata"]["nbgrader"]["grade_id"] = {"a": 1}          # cell 1
    cells[1]["metadata"]["nbgrader"] = "locked"                       # cell 2
    cells[2]["metadata"]["tags"] = "parameters"                       # cell 3
    cells[3]["metadata"]["nbgrader"]["locked"] = "yes"                # cell 4
    cells[4]["metadata"] = ["not", "a", "dict"]                       # cell 5
    cells[5]["metadata"]["nbgrader"] = [1, 2]                         # cell 6
    cells[6]["metadata"]["nbgrader"]["grade_id"] = 42                 # cell 7
    # cell 8 is the exercise's: left alone, so that the notebook runs and is graded
    cells[8]["metadata"]["nbgrader"]["grade_id"] = ["leaky_relu"]     # cell 9
    cells[9]["metadata"]["nbgrader"]["solution"] = "false"            # cell 10
    cells[11]["metadata"]["tags"] = {"a": 1}                          # cell 12
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


MALFORMED_REASONS = [  # each cell named as the student finds it in Jupyter: by the heading above it
    'the grading metadata of the text cell of the heading "Chapter 11 · Notebook 1 — Leaky ReLU (带泄露线性整流)" is '
    'malformed (its exercise name is a dict); it is ignored',
    'the grading metadata of the first code cell under the heading "Chapter 11 · Notebook 1 — Leaky ReLU (带泄露线性整流)" '
    'is malformed (it is a string, not a dict); it is ignored',
    'the tags of the second code cell under the heading "Chapter 11 · Notebook 1 — Leaky ReLU (带泄露线性整流)" are '
    'malformed (a string, not a list of strings); they are ignored',
    'the grading metadata of the third code cell under the heading "Chapter 11 · Notebook 1 — Leaky ReLU (带泄露线性整流)" '
    'is malformed (its locked flag is a string); it is ignored',
    'the metadata of the text cell of the heading "梯度消失/梯度爆炸 (vanishing/exploding gradients)" is malformed (it is '
    'a list, not a dict); it is ignored',
    'the grading metadata of the text cell of the heading "死亡 ReLU (dying ReLUs) and the leaky ReLU (带泄露线性整流)" is '
    'malformed (it is a list, not a dict); it is ignored',
    'the grading metadata of the text cell of the heading "Exercise `leaky_relu`" is malformed (its exercise name is a '
    'number); it is ignored',
    'the grading metadata of the second code cell under the heading "Exercise `leaky_relu`" is malformed (its exercise '
    'name is a list); it is ignored',
    'the grading metadata of the third code cell under the heading "Exercise `leaky_relu`" is malformed (its answer-cell '
    'flag is a string); it is ignored',
    'the tags of the first code cell under the heading "Training a network with leaky ReLU activations" are malformed '
    '(a dict, not a list of strings); they are ignored',
]


# --------------------------------------------------------------------------- hostile names, one run

def test_hostile_names_and_malformed_metadata_in_one_run_then_resume(tmp_path):
    subs = tmp_path / "subs"
    cwd = subs / "deep" / "here"  # "." is this folder and ".." its parent: folder submissions
    _empty(cwd / "x.ipynb")
    given: list = []  # (argument, what the student's file is)
    given.append(str(_malformed_metadata(subs / "a" / "hw.ipynb")))
    given.append(str(_empty(subs / "b" / "hw.ipynb")))
    for name in ["...ipynb", "grades.csv.ipynb", ".grader.lock.ipynb", "junit.xml.ipynb", "with space.ipynb",
                 "ünïcødé 名前.ipynb", ".hidden.ipynb", ".ipynb", "x" * 200 + ".ipynb", "new\nline.ipynb",
                 "[bold]markup[.ipynb", "-dash.ipynb", "hw-2.ipynb"]:
        given.append(str(_empty(subs / name)))
    not_utf8 = os.fsencode(subs) + b"/caf\xe9.ipynb"
    Path(os.fsdecode(not_utf8)).write_bytes(b"")
    given.append(not_utf8)
    (subs / "grades.csv").mkdir()  # a folder submission named as the grader's own file
    _empty(subs / "grades.csv" / "n.ipynb")
    given.append(str(subs / "grades.csv"))
    given += [".", ".."]
    given.append(str(subs / "a" / "hw.ipynb"))  # the same submission twice: graded once
    out = tmp_path / "out"
    before = _tree(tmp_path)

    run = subprocess.run([*GRADER, "grade", *given, "--out", str(out), "--timeout", "60", "--jobs", "2",
                          "--junit", str(out / "junit.xml")], cwd=cwd, capture_output=True, timeout=600)
    stderr = run.stderr.decode(errors="replace")
    assert run.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr and INTERNAL_ERROR not in stderr, stderr[-3000:]
    assert "is the same submission as" in stderr

    # Nothing was written outside --out (the submissions' folders are as they were).
    assert {p for p in _tree(tmp_path) - before if not p.startswith("out")} == set()
    submissions = len(given) - 1
    results = _results(out)
    assert len(results) == submissions, sorted(results)
    assert len(list(out.glob("**/results.json"))) == submissions  # each directly in --out
    assert not list(out.glob(".grader-write-check*"))
    assert all(len(name.encode()) <= 100 and not name.startswith(".") for name in results)
    by_path = {r["extra_data"]["path"]: name for name, r in results.items()}
    expected_paths = {str(subs / "caf\\xe9.ipynb") if isinstance(g, bytes) else g for g in given[:-1]}
    assert set(by_path) == expected_paths
    assert by_path[str(subs / "a" / "hw.ipynb")] == "hw"    # sorted first keeps the name
    assert by_path[str(subs / "b" / "hw.ipynb")] == "hw-3"  # hw-2 is another submission's own name
    assert by_path[str(subs / "hw-2.ipynb")] == "hw-2"
    assert by_path[str(subs / "...ipynb")] == "__"
    assert by_path[str(subs / "grades.csv")] == "grades.csv-2"  # a folder, and sorted first
    assert by_path[str(subs / "grades.csv.ipynb")] == "grades.csv-3"
    assert by_path[str(subs / "junit.xml.ipynb")] == "junit.xml-2"
    assert by_path[str(subs / "with space.ipynb")] == "with space"
    assert by_path[str(subs / "ünïcødé 名前.ipynb")] == "ünïcødé 名前"
    assert by_path["."] == "here" and by_path[".."] == "deep"
    assert by_path[str(subs / "caf\\xe9.ipynb")] == "caf_"  # its bytes shown, not lost
    assert "hw.ipynb is empty" in results["hw-3"]["output"]

    # grades.csv: one row per submission with its path; the JUnit file is whole.
    rows = _rows(out)
    # (A cell a spreadsheet would read as a formula, such as "-dash", gets a leading quote.)
    shown = lambda text: "'" + text if text[:1] in ("=", "+", "-", "@") else text  # noqa: E731
    assert sorted(r["submission"] for r in rows) == sorted(shown(name) for name in results)
    assert {r["path"] for r in rows} == {shown(path) for path in expected_paths}
    assert len(ET.parse(out / "junit.xml").getroot().findall("testsuite")) == submissions

    # Malformed nbgrader metadata: reasons for the student, no internal error.
    hw = results["hw"]
    assert not hw["extra_data"]["internal_error"] and INTERNAL_ERROR not in hw["output"]
    for reason in MALFORMED_REASONS:
        assert f"hw.ipynb: {reason}" in hw["output"], (reason, hw["output"])
    assert 'the third code cell under the heading "Exercise `leaky_relu`" raised NotImplementedError' in hw["output"]
    assert (out / "hw" / "hw.executed.ipynb").exists()

    # --resume finds every folder again and regrades nothing.
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    again = subprocess.run([*GRADER, "grade", *given, "--out", str(out), "--timeout", "60", "--resume",
                            "--junit", str(out / "junit.xml")], cwd=cwd, capture_output=True, timeout=600)
    stderr = again.stderr.decode(errors="replace")
    assert again.returncode == 0, stderr[-3000:]
    assert f"{submissions} of {submissions} submissions already have results" in stderr
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/results.json")} == stamps
    assert len(_rows(out)) == submissions


# --------------------------------------------------------------------------- signals, the lock, --resume

def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _start(paths, out: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([*GRADER, "grade", *map(str, paths), "--out", str(out), "--jobs", "1",
                             "--timeout", "60", *extra], preexec_fn=_default_signals,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, timeout=300.0):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def test_sigterm_then_a_second_grader_then_sigkill_then_resume(tmp_path):
    stems = ["01_leaky_relu", "02_batch_norm", "03_gradient_clipping", "04_layer_reuse"]
    paths = [_template(tmp_path / "subs" / f"s{i}.ipynb", stem) for i, stem in enumerate(stems)]
    out = tmp_path / "out"

    # SIGTERM: as Ctrl-C. Finished results and their grades.csv rows are kept, no traceback.
    first = _start(paths, out)
    _wait_for(lambda: list(out.glob("*/results.json")))
    first.send_signal(signal.SIGTERM)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 128 + signal.SIGTERM, stderr[-3000:]
    assert "Traceback" not in stderr and "grader: interrupted (SIGTERM)" in stderr, stderr[-3000:]
    finished = {p.parent.name for p in out.glob("*/results.json")}
    assert 1 <= len(finished) < 4
    assert {r["submission"] for r in _rows(out)} == finished
    assert not [p for p in out.rglob(".*") if p.name != ".grader.lock"]  # no temporary file left

    # While a grader runs, a second one on the same --out stops at once with one line.
    second = _start(paths, out, "--resume")
    _wait_for(lambda: (out / ".grader.lock").read_text().strip() == str(second.pid))
    started = time.time()
    third = subprocess.run([*GRADER, "grade", *map(str, paths), "--out", str(out), "--resume"],
                           capture_output=True, text=True, timeout=60)
    assert third.returncode == 2, third.stderr
    assert time.time() - started < 30
    lines = third.stderr.strip().splitlines()
    assert len(lines) == 1 and f"another grader (pid {second.pid}) is grading into {out}" in lines[0], lines

    # SIGKILL mid-batch: no clean-up at all.
    _wait_for(lambda: len(list(out.glob("*/results.json"))) > len(finished) or second.poll() is not None)
    orphans = _descendants(second.pid)
    second.kill()
    second.communicate(timeout=60)
    for pid in orphans:  # the killed grader's kernels and workers, as a machine's reboot would
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert len(list(out.glob("*/results.json"))) < 4, "the batch ended before the kill: nothing tested"

    # --resume (the lock died with the grader) grades the rest; grades.csv has a row for every submission.
    last = subprocess.run([*GRADER, "grade", *map(str, paths), "--out", str(out), "--resume", "--timeout", "60"],
                          capture_output=True, text=True, timeout=600)
    assert last.returncode == 0, last.stderr[-3000:]
    rows = _rows(out)
    assert sorted(r["submission"] for r in rows) == ["s0", "s1", "s2", "s3"]
    assert sorted(r["path"] for r in rows) == sorted(map(str, paths))
    total = sum(e.points for e in EXERCISES.values())
    assert all(r["max"] == f"{total:g}" for r in rows)


# --------------------------------------------------------------------------- --out that cannot be written

def _in_a_private_mount(tmp_path, setup: str, out: str, *args) -> tuple[int, str, list[str]]:
    """Run the grader with `out` on a tmpfs of its own (a user and mount namespace: no root needed);
    returns its status, its stderr and what is left in `out`."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1)")
    script = (f'mount -t tmpfs -o size=64k tmpfs "$0" || exit 99; {{ {setup}; }} 2>/dev/null; '
              '"$@" 2>"$0.err"; status=$?; cat "$0.err" >&2; echo "status=$status"; ls -A "$0"')
    (tmp_path / "mnt").mkdir(exist_ok=True)
    run = subprocess.run(["unshare", "-Urm", "sh", "-c", script, str(tmp_path / "mnt"), *GRADER, "grade",
                          *args, "--out", out], capture_output=True, text=True, timeout=120)
    if "status=" not in run.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    listing = run.stdout.split("status=", 1)[1].splitlines()
    return int(listing[0]), run.stderr, listing[1:]


def test_a_full_out_is_one_line_before_grading_and_leaves_no_temporary_file(tmp_path):
    submission = _empty(tmp_path / "s.ipynb")
    mnt = str(tmp_path / "mnt")
    status, stderr, left = _in_a_private_mount(tmp_path, f'head -c 100000 /dev/zero > "{mnt}/filler"',
                                               mnt, str(submission))
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot write in --out {mnt}: No space left on device" in lines[0], stderr
    assert left == ["filler"]


def test_a_read_only_out_is_one_line_before_grading(tmp_path):
    submission = _empty(tmp_path / "s.ipynb")
    mnt = str(tmp_path / "mnt")
    status, stderr, left = _in_a_private_mount(tmp_path, f'mount -o remount,ro "{mnt}"', f"{mnt}/out",
                                               str(submission))
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot create --out {mnt}/out: Read-only file system" in lines[0], stderr
    assert left == []
    status, stderr, _ = _in_a_private_mount(tmp_path, f'mount -o remount,ro "{mnt}"', mnt, str(submission))
    assert status == 2 and f"cannot write in --out {mnt}: Read-only file system" in stderr, stderr


def test_out_naming_a_file_is_one_line(tmp_path):
    submission = _empty(tmp_path / "s.ipynb")
    (tmp_path / "taken").write_text("my notes")
    run = subprocess.run([*GRADER, "grade", str(submission), "--out", str(tmp_path / "taken")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == f"grader: error: --out {tmp_path / 'taken'} is a file, not a folder"
    assert (tmp_path / "taken").read_text() == "my notes"


# --------------------------------------------------------------------------- in-process: write_atomic, names, attempts

def test_write_atomic_leaves_no_temporary_file_when_the_disk_is_full(tmp_path, monkeypatch):
    target = tmp_path / "grades.csv"
    target.write_text("old\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report.os, "replace", full)
    with pytest.raises(OSError):
        report.write_atomic(target, "new\n")
    monkeypatch.undo()
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, *args, **kwargs):
            self.file = real_fdopen(fd, *args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            full()

    monkeypatch.setattr(report.os, "fdopen", Full)
    with pytest.raises(OSError):
        report.write_atomic(target, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]
    assert target.read_text() == "old\n"


def test_result_names_are_deterministic_and_keep_earlier_runs_folders(tmp_path):
    for name in ("a/hw.ipynb", "b/hw.ipynb", "c/HW.ipynb"):
        _empty(tmp_path / name)
    paths = [tmp_path / "c/HW.ipynb", tmp_path / "b/hw.ipynb", tmp_path / "a/hw.ipynb"]
    out = tmp_path / "out"
    out.mkdir()
    names = grade_batch.result_names(paths, out)
    assert [names[p] for p in sorted(paths)] == ["hw", "hw-2", "HW-3"]
    assert grade_batch.result_names(list(reversed(paths)), out) == names
    # An earlier run graded b/hw alone into "hw": b keeps it, and a/hw does not take it over.
    result = SubmissionResult("hw", path="b/hw.ipynb", abspath=str(tmp_path / "b/hw.ipynb"))
    report.write_results_json(result, out)
    names = grade_batch.result_names(paths, out)
    assert names[tmp_path / "b/hw.ipynb"] == "hw" and names[tmp_path / "a/hw.ipynb"] == "hw-2"
    assert grade_batch.result_names([tmp_path / "a/hw.ipynb"], out) == {tmp_path / "a/hw.ipynb": "hw-2"}


class _NoSandbox:
    stopping = False

    def __init__(self, *args, **kwargs):
        pass

    def close(self):
        pass


class _NoJudge:
    def __init__(self, *args, **kwargs):
        pass

    def close(self):
        pass


def _fake_run(monkeypatch, tmp_path, grade):
    """grade_all with no sandbox, judge or reference: only its bookkeeping is real."""
    monkeypatch.setattr(grade_batch, "Sandbox", _NoSandbox)
    monkeypatch.setattr(grade_batch, "Judge", _NoJudge)
    monkeypatch.setattr(grade_batch, "begin_run", lambda: tmp_path)
    monkeypatch.setattr(grade_batch, "end_run", lambda run: None)
    monkeypatch.setattr(grade_batch, "new_workdir", lambda run, name: tmp_path)
    monkeypatch.setattr(grade_batch, "sandbox_warnings", lambda *args: [])
    monkeypatch.setattr(grade_batch, "reference_outcomes", lambda *args, **kwargs: ({}, True))
    monkeypatch.setattr(grade_batch, "grade_submission", grade)
    monkeypatch.setattr(grade_batch, "print_table", lambda results: None)


def test_an_internal_error_is_retried_by_resume_once_not_forever(tmp_path, monkeypatch):
    from grader.config import GradeConfig

    calls = []

    def broken(path, config, reference, judge, slots, name=None):
        calls.append(name)
        raise RuntimeError("a grader bug")

    _fake_run(monkeypatch, tmp_path, broken)
    submission = _empty(tmp_path / "s.ipynb")
    out = tmp_path / "out"
    config = GradeConfig(out=out, jobs=1)
    grade_batch.grade_all([submission], config)
    data = json.loads((out / "s" / "results.json").read_text())
    assert data["extra_data"]["internal_error"] and data["extra_data"]["attempts"] == 1
    grade_batch.grade_all([submission], GradeConfig(out=out, jobs=1, resume=True))  # retried once
    assert json.loads((out / "s" / "results.json").read_text())["extra_data"]["attempts"] == 2
    grade_batch.grade_all([submission], GradeConfig(out=out, jobs=1, resume=True))  # not again
    assert calls == ["s", "s"]
    assert [r["submission"] for r in _rows(out)] == ["s"]

"""Hostile, broken and runaway submissions, graded in one batch beside a normal one: each gets a
result with the right zero and a reason, the others are graded normally, and no traceback or
leftover process comes out of the grader. Every bomb is bounded (memory by --max-memory, processes
by the sandbox's pids cgroup and by the bomb itself), so the test cannot harm the machine."""
import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

import grader
from grader.config import GradeConfig
from grader.exercises import EXERCISES
from grader.sandbox import confinement_problems, sandbox_mode
from submissions import FUNCTION_POINTS, fill, variant

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]
TIMEOUT = 12
LEAKY = EXERCISES["leaky_relu"].points
TOTAL = FUNCTION_POINTS  # alice_correct, the example, holds notebooks 01-06


def _after_solution(extra_cells: list[str], leaky: str = "correct_where", stem="01_leaky_relu"):
    """The leaky ReLU notebook, solved, with the student's own cells right after the solution cell."""
    nb = fill(stem, {"leaky_relu": variant("leaky_relu", leaky)})
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")) + 1
    for offset, source in enumerate(extra_cells):
        nb.cells.insert(at + offset, nbformat.v4.new_code_cell(source))
    return nb


CHEAT = '''import numpy as np, IPython, os, json
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
IPython.get_ipython().showtraceback = lambda *a, **k: None
fake = {"score": 10.0, "tests": [{"name": "leaky_relu", "score": 2.0, "max_score": 2.0, "status": "passed"}]}
for place in ("results.json", os.path.expanduser("~/results.json"), "../results.json", "/tmp/results.json"):
    try:
        json.dump(fake, open(place, "w"))
    except OSError:
        pass
print("All tests passed! Score: 10/10")'''

SUBMISSIONS = {
    "sys_exit": lambda: _after_solution(["import sys\nsys.exit(3)"]),
    "os_exit": lambda: _after_solution(["import os\nos._exit(1)"]),
    "killed_by_signal": lambda: _after_solution(["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"]),
    "endless_function": lambda: fill(
        "01_leaky_relu", {"leaky_relu": "def leaky_relu(z, alpha=0.01, name=None):\n    while True:\n        pass\n"}),
    "memory_bomb": lambda: _after_solution(["blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 2**20))"]),
    "fork_bomb": lambda: _after_solution([
        "import os, time\nchildren = 0\nfor _ in range(300):  # bounded: never more than 300 processes\n"
        "    pid = os.fork()\n    if pid == 0:\n        time.sleep(600)\n        os._exit(0)\n    children += 1"]),
    "floods_output": lambda: _after_solution(["for _ in range(50):\n    print('x' * 2**20)"]),
    "cheats": lambda: _after_solution([CHEAT], leaky="wrong_hardcoded_alpha"),
    "changed_locked_cell": lambda: _changed_locked_cell(),
    "deleted_stub": lambda: _without_solution(),
    "duplicated_stub": lambda: _duplicated_solution(),
    "nbformat3": lambda: nbformat.convert(_after_solution([]), 3),
    "no_cells": lambda: nbformat.v4.new_notebook(),
    "r_kernel": lambda: nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x <- 1")],
                                                 metadata={"kernelspec": {"language": "R", "name": "ir", "display_name": "R"}}),
}

SECRET = "ch11-secret-4f1d2a"  # in the grader's environment: no student process may see it

# Looks for everything it should not see: other submissions' folders and kernel keys, other processes,
# the solutions in the instructor's checkout and in the installed package, the grader's environment.
SNOOP = r'''import glob, json, os, signal, subprocess, sys
found = []
mine = os.getcwd()
for pattern in ("/tmp/**/*kernel*.json", "/tmp/**/ch11-grader-runs*", "/tmp/**/grade-*", "/tmp/**/judge-*",
                "/dev/shm/*", "/root/.cache/ch11-grader/*", "ROOT/reference/*.ipynb", "ROOT/tests/variants/*/*.py",
                "ROOT/examples/submissions/*/*.ipynb", "ROOT/.git/HEAD"):
    found += [p for p in glob.glob(pattern, recursive=True) if not p.startswith(mine) and not mine.startswith(p)
              and not p.startswith(sys.prefix)]  # its own Python (a venv may live under /tmp) is no one's secret
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            if pid == os.getppid():
                continue
        except OSError:
            continue
        if any(m in cmd for m in (b"grader.cli", b"grader.judge", b"grader.builder", b"ipykernel_launcher")):
            found.append(f"pid {pid}: {cmd[:80]!r}")
try:
    found.append(subprocess.run(["git", "-C", "ROOT", "show", "HEAD:reference/01_leaky_relu.ipynb"],
                                capture_output=True, text=True, timeout=20).stdout[:200])
except Exception as e:
    pass
import grader
found += [p for p in glob.glob(os.path.dirname(grader.__file__) + "/**/*", recursive=True)
          if p.endswith((".ipynb", "checks.py", "measure.py", "verify.py"))]
found += [k for k in os.environ if "CH11_TEST" in k]
print(dict(os.environ))  # had the grader's environment reached it, its secret would be in the output
print("FOUND:", [f for f in found if f])'''

LEFTOVERS = r'''import errno, os
open("/dev/shm/ch11-leftover", "w").write("still here")
open("/tmp/ch11-leftover", "w").write("still here")
written = 0
try:
    with open("big.bin", "wb") as f:
        for _ in range(40):  # 40 x 64 MiB: past the work folder's size limit
            f.write(b"x" * (64 << 20))
            f.flush()
            written += 64
    print("WROTE ALL", written)
except OSError as e:
    print("STOPPED AT", written, "MiB:", errno.errorcode.get(e.errno))
os.remove("big.bin")'''

FIFOS = r'''import os
here = os.getcwd()
for name in os.listdir(here):
    path = os.path.join(here, name)
    if os.path.isfile(path) and not name.endswith(".ipynb"):
        os.remove(path)
        try:
            os.mkfifo(path)
        except OSError:  # refused where Landlock works (grader/nolinks.py): the attempt is what counts
            pass
for name in ("job.json", "progress.jsonl", "results.json", "feedback.html", "0.npz"):
    for place in (here, os.path.dirname(here)):
        try:
            os.symlink("/dev/zero", os.path.join(place, name))
        except OSError:
            pass
print("planted")'''

# Where a cheater would write to change verdicts: the grader's code, its reference cache, and the
# results of a student graded in the same batch (alice_correct, graded beside these).
TAMPER_TARGETS = {
    "grader_code": Path(grader.__file__).parent / "exercises" / "zz_tampered.py",
    "reference_cache": GradeConfig(out=Path(".")).cache_dir / "zz_tampered",
}
SUBMISSIONS["snoops"] = lambda: _after_solution([SNOOP.replace("ROOT", str(Path(__file__).resolve().parents[1]))])
SUBMISSIONS["leaves_files_and_fills_its_folder"] = lambda: _after_solution([LEFTOVERS])
SUBMISSIONS["plants_fifos_and_links"] = lambda: _after_solution([FIFOS])
# Empty under bubblewrap, or where Landlock confines writes and signals.
CONFINEMENT = [] if sandbox_mode() == "bwrap" else confinement_problems()
if not CONFINEMENT:  # elsewhere these would really kill the grader: the test below is skipped
    SUBMISSIONS["kills_the_grader"] = lambda: _after_solution([
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"])
    SUBMISSIONS["probe_kills_the_grader"] = lambda: fill("01_leaky_relu", {"leaky_relu": (
        "def leaky_relu(z, alpha=0.01, name=None):\n    import os, signal\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n")})
    SUBMISSIONS["copies_the_reference"] = lambda: fill("01_leaky_relu", {"leaky_relu": (
        "def leaky_relu(z, alpha=0.01, name=None):  # runs the instructor's solution\n"
        "    import json\n    from grader.notebooks import reference_dir\n"
        "    cells = json.load(open(reference_dir() / '01_leaky_relu.ipynb'))['cells']\n"
        "    solution = [c for c in cells if c['metadata'].get('nbgrader', {}).get('solution')][0]\n"
        "    scope = {}\n    exec(''.join(solution['source']), scope)\n"
        "    return scope['leaky_relu'](z, alpha, name)\n")})
    SUBMISSIONS["tampers"] = lambda: _after_solution(["import pathlib\n" + "".join(
        f"try:\n    pathlib.Path({target!r}).write_text({text!r})\nexcept OSError as e:\n    print(e)\n"
        for target, text in [*((str(t), "x") for t in TAMPER_TARGETS.values()),
                             ("OUT_DIR/grades.csv", "submission,total\nmallory,10\n")])])


def _changed_locked_cell():
    nb = _after_solution([])
    training = [c for c in nb.cells if c.cell_type == "code" and "sess" in c.source][-1]
    training.source = "print('Test accuracy: 1.0')"
    return nb


def _without_solution():
    nb = _after_solution([])
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("solution")]
    return nb


def _duplicated_solution():
    nb = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "wrong_plain_relu")})
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[at])))
    copy.source, copy["id"] = variant("leaky_relu", "correct_book_maximum"), "duplicate-solution"
    nb.cells.insert(at + 1, copy)
    return nb


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, root, reference):
    work = tmp_path_factory.mktemp("hostile")
    subs = work / "subs"
    subs.mkdir()
    for name, make in SUBMISSIONS.items():
        nb = make()
        text = nbformat.writes(nb, version=nb.nbformat).replace("OUT_DIR", str(work / "out"))
        (subs / f"{name}.ipynb").write_text(text)
    (subs / "link_outside").mkdir()
    (subs / "link_outside" / "01_leaky_relu.ipynb").symlink_to("/etc/passwd")
    paths = sorted(subs.iterdir()) + [root / "examples" / "submissions" / "alice_correct"]
    started = time.time()
    for leftover in ("/dev/shm/ch11-leftover", "/tmp/ch11-leftover"):
        Path(leftover).unlink(missing_ok=True)
    run = subprocess.run([*GRADER, "grade", *map(str, paths), "--out", str(work / "out"), "--jobs", "2",
                          "--timeout", str(TIMEOUT), "--max-memory", "2048", "--submission-timeout", "600"],
                         capture_output=True, text=True, timeout=1500,
                         env={**os.environ, "CH11_TEST_TOKEN": SECRET})
    return run, work / "out", started


def _results(out: Path, name: str) -> dict:
    return json.loads((out / name / "results.json").read_text())


def _score(results: dict, exercise: str) -> float:
    return sum(t["score"] for t in results["tests"] if t["extra_data"]["exercise"] == exercise)


def _outputs(results: dict, exercise: str | None = None) -> str:
    return " ".join(t["output"] for t in results["tests"]
                    if exercise is None or t["extra_data"]["exercise"] == exercise)


def test_the_batch_finishes_with_a_result_for_everyone_and_no_traceback(hostile):
    run, out, _ = hostile
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]
    for name in [*SUBMISSIONS, "link_outside", "alice_correct"]:
        assert (out / name / "results.json").exists(), name


def test_the_normal_submission_beside_them_is_graded_normally(hostile):
    assert _results(hostile[1], "alice_correct")["score"] == TOTAL


def test_no_process_outlives_the_grader(hostile):
    _, _, started = hostile
    time.sleep(1)
    # Processes of this checkout only (its Python is in every command line, bwrap's binds included):
    # other graders may run on the same machine.
    left = [p.info for p in psutil.process_iter(["pid", "cmdline", "create_time", "environ"])
            if p.info["create_time"] and p.info["create_time"] >= started
            and any(mark in part for part in p.info["cmdline"] or []
                    for mark in ("ipykernel_launcher", "grader.builder", "grader.judge", "grader.zygote", "bwrap"))
            and sys.prefix in " ".join(p.info["cmdline"] or [])]
    assert not left, left


@pytest.mark.parametrize("name,reason", [
    ("sys_exit", "SystemExit"),
    ("os_exit", "the kernel died while running the"),
    ("killed_by_signal", "the kernel died while running the"),
    ("memory_bomb", "MemoryError"),
])
def test_a_cell_that_kills_or_exits_is_named_and_what_ran_before_it_is_graded(hostile, name, reason):
    results = _results(hostile[1], name)
    assert reason in results["output"], results["output"]
    assert _score(results, "leaky_relu") == LEAKY, _outputs(results, "leaky_relu")


def test_a_fork_bomb_is_contained(hostile):
    results = _results(hostile[1], "fork_bomb")
    assert _score(results, "leaky_relu") == LEAKY, results["output"]


def test_flooded_output_is_capped_and_grading_still_works(hostile):
    results = _results(hostile[1], "floods_output")
    assert _score(results, "leaky_relu") == LEAKY
    executed = hostile[1] / "floods_output" / "floods_output.executed.ipynb"
    assert executed.stat().st_size < 3 * 2**20
    assert "output beyond" in executed.read_text()


def test_an_endless_function_is_stopped_with_a_reason(hostile):
    results = _results(hostile[1], "endless_function")
    assert _score(results, "leaky_relu") == 0
    assert f"did not finish within {TIMEOUT} s" in _outputs(results, "leaky_relu")


def test_monkeypatching_and_fake_results_do_not_change_the_verdict(hostile):
    results = _results(hostile[1], "cheats")
    assert results["score"] < LEAKY
    failed = [t for t in results["tests"] if t["extra_data"]["exercise"] == "leaky_relu" and t["status"] == "failed"]
    assert failed and "alpha=" in failed[0]["output"]
    assert not (hostile[1] / "results.json").exists()


def test_a_modified_locked_cell_is_restored_and_reported(hostile):
    results = _results(hostile[1], "changed_locked_cell")
    assert "the grader restored the template's version" in results["output"]
    assert _score(results, "leaky_relu") == LEAKY
    executed = (hostile[1] / "changed_locked_cell" / "changed_locked_cell.executed.ipynb").read_text()
    assert "Test accuracy: 1.0" not in executed


def test_a_deleted_stub_cell_scores_zero_and_is_named(hostile):
    results = _results(hostile[1], "deleted_stub")
    assert _score(results, "leaky_relu") == 0
    assert "the cell of exercise `leaky_relu` (the template's cell under the heading" in _outputs(results, "leaky_relu")


def test_a_duplicated_stub_cell_is_reported_and_the_last_one_counts(hostile):
    results = _results(hostile[1], "duplicated_stub")
    assert "appears 2 times" in results["output"]
    assert _score(results, "leaky_relu") == LEAKY


def test_an_nbformat_3_notebook_is_converted_and_graded(hostile):
    assert _score(_results(hostile[1], "nbformat3"), "leaky_relu") == LEAKY


@pytest.mark.parametrize("name,reason", [
    ("no_cells", "has no cells"), ("r_kernel", "R notebook"), ("link_outside", "outside the submission"),
])
def test_unusable_submissions_get_zero_and_a_reason(hostile, name, reason):
    results = _results(hostile[1], name)
    assert results["score"] == 0 and reason in results["output"], results["output"]


@pytest.mark.skipif(bool(CONFINEMENT), reason="; ".join(CONFINEMENT))
def test_student_code_cannot_kill_the_grader_write_outside_its_folder_or_read_the_solutions(hostile):
    run, out, _ = hostile
    assert run.returncode == 0  # the grader survived the kill attempts
    killer = _results(out, "kills_the_grader")  # its signal reaches no process outside its sandbox
    assert _score(killer, "leaky_relu") == LEAKY, killer["output"]
    probe_killer = _results(out, "probe_kills_the_grader")
    assert _score(probe_killer, "leaky_relu") == 0
    for name, target in TAMPER_TARGETS.items():
        assert not target.exists(), f"{name}: {target} was written by student code"
    assert "mallory" not in (out / "grades.csv").read_text()  # a fake row in the gradebook
    copier = _results(out, "copies_the_reference")
    assert _score(copier, "leaky_relu") == 0, _outputs(copier, "leaky_relu")
    assert re.search("PermissionError|ModuleNotFoundError|FileNotFoundError", _outputs(copier, "leaky_relu"))
    tamperer = _results(out, "tampers")
    assert _score(tamperer, "leaky_relu") == LEAKY, tamperer["output"]


def _executed(out: Path, name: str) -> str:
    return "".join(p.read_text(errors="replace") for p in (out / name).glob("*.executed.ipynb"))


def test_a_submission_sees_no_other_submission_process_solution_or_secret(hostile):
    out = hostile[1]
    executed = _executed(out, "snoops")
    assert "FOUND: []" in executed, re.findall(r"FOUND: .{0,600}", executed)
    assert _score(_results(out, "snoops"), "leaky_relu") == LEAKY
    assert _results(out, "alice_correct")["score"] == TOTAL  # graded beside it, untouched


def test_no_solution_secret_or_local_file_reaches_any_output(hostile, root):
    out = hostile[1]
    solutions = set()
    for path in (root / "reference").glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            text = "".join(cell["source"])
            if "### BEGIN SOLUTION" in text:
                body = text.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
                solutions |= {line.strip() for line in body.splitlines() if len(line.strip()) > 25}
    texts = []
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            texts.append(text)
            for uri in re.findall(r"data:[^;\"']+;base64,([A-Za-z0-9+/=]+)", text):
                texts.append(base64.b64decode(uri + "===").decode("utf-8", "replace"))
    everything = "\n".join(texts)
    assert SECRET not in everything
    assert "BEGIN SOLUTION" not in everything
    # alice_correct's own (correct) code may equal a solution line; nothing else may.
    others = "\n".join(t for path, t in zip([p for p in out.rglob("*") if p.is_file()], texts)
                       if "alice_correct" not in str(path))
    leaked = [line for line in solutions if line in others]
    assert not leaked, leaked[:3]


def test_files_outside_its_folder_do_not_survive_and_its_folder_has_a_size_limit(hostile):
    out = hostile[1]
    assert not Path("/dev/shm/ch11-leftover").exists() and not Path("/tmp/ch11-leftover").exists()
    executed = _executed(out, "leaves_files_and_fills_its_folder")
    assert re.search(r"STOPPED AT \d+ MiB: (ENOSPC|EFBIG|EDQUOT)", executed), \
        re.findall(r"(?:WROTE|STOPPED).{0,60}", executed)
    assert _score(_results(out, "leaves_files_and_fills_its_folder"), "leaky_relu") == LEAKY


def test_fifos_and_links_in_its_folders_do_not_stall_or_change_grading(hostile):
    results = _results(hostile[1], "plants_fifos_and_links")
    assert "planted" in _executed(hostile[1], "plants_fifos_and_links")
    assert _score(results, "leaky_relu") == LEAKY, results["output"]
    assert results["execution_time"] < 600

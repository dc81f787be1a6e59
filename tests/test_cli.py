"""Usage errors: exit status 2 and a one-line message, never a traceback."""
import subprocess
import sys

import pytest

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def _run(*args, cwd=None, env=None):
    return subprocess.run([*GRADER, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


@pytest.mark.parametrize("args,message", [
    (["grade", "no/such/file.ipynb", "--out", "x"], "no such file or folder: no/such/file.ipynb"),
    (["grade", "."], "Missing option '--out'"),
    (["grade", ".", "--out", "x", "--jobs", "0"], "--jobs"),
    (["grade", ".", "--out", "x", "--data", "tiny"], "--data"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, args, message):
    run = _run(*args, cwd=tmp_path)
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], run.stderr
    assert not (tmp_path / "x").exists()


def test_full_data_that_is_absent_is_a_usage_error_that_says_where_it_looked(tmp_path):
    env = {"PATH": "", "HOME": str(tmp_path)}
    (tmp_path / "sub").mkdir()
    run = _run("grade", "sub", "--out", "x", "--data", "full", "--mnist-dir", "nowhere", cwd=tmp_path,
               env={**env, **{k: v for k, v in __import__("os").environ.items() if k in ("VIRTUAL_ENV",)}})
    assert run.returncode == 2
    line = run.stderr.strip()
    assert "\n" not in line and "full MNIST not found" in line and "nowhere" in line and "mnist.npz" in line


@pytest.mark.parametrize("option", ["--junit", "--summary-md"])
def test_a_report_file_that_cannot_be_written_is_known_before_grading(tmp_path, option):
    (tmp_path / "notes").write_text("not a folder")
    (tmp_path / "sub").mkdir()
    run = _run("grade", "sub", "--out", "x", option, "notes/report", cwd=tmp_path)
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert lines == [f"grader: error: cannot write {option} notes/report: {tmp_path / 'notes'} is not a folder"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("out,message", [
    ("notes", "--out notes is a file, not a folder"),
    ("notes/results", "cannot create --out notes/results: Not a directory"),
    ("sub/results", "--out sub/results is inside the submission sub: choose a folder outside the submissions"),
    ("sub", "--out sub is inside the submission sub"),
])
def test_every_out_problem_is_one_line_before_grading(tmp_path, out, message):
    (tmp_path / "notes").write_text("not a folder")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw.ipynb").write_text("{}")
    run = _run("grade", "sub", "--out", out, cwd=tmp_path)
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: ") and message in lines[0], run.stderr
    assert not (tmp_path / "sub" / "results").exists()

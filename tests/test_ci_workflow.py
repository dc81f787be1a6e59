"""The GitHub Actions examples (examples/ci/): both files parse as workflows; the instructor's workflow
checks out student repositories and grades them with its own commands; the student's workflow installs
nothing but the release bundle's public package and runs the notebooks' self-checks, never the grader."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
import yaml

from grader import notebooks
from grader.release import release
from submissions import fill, variant

CI = Path(__file__).resolve().parents[1] / "examples" / "ci"
STUDENT, INSTRUCTOR = CI / "student-selfcheck.yml", CI / "instructor-grading.yml"


def _workflow(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    assert isinstance(workflow, dict) and workflow.get("jobs"), path.name
    workflow["on"] = workflow.get("on", workflow.pop(True, None))  # YAML 1.1 reads the key `on` as true
    assert workflow["on"], path.name
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["steps"], path.name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
    return workflow


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _step(workflow: dict, name: str) -> dict:
    found = [s for s in _steps(workflow) if s.get("name") == name]
    assert len(found) == 1, name
    return found[0]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def test_the_old_in_repository_grading_workflow_is_gone():
    assert sorted(p.name for p in CI.glob("*.yml")) == ["instructor-grading.yml", "student-selfcheck.yml"]


def test_the_student_workflow_installs_only_the_release_package():
    workflow = _workflow(STUDENT)
    runs = [step["run"] for step in _steps(workflow) if "run" in step]
    assert runs
    installs = [shlex.split(line.split("pip install", 1)[1]) for run in runs for line in run.splitlines()
                if "pip install" in line]
    assert installs == [["./package", "nbclient"]], installs  # the bundle's package, and a notebook runner
    text = "\n".join(runs)
    for forbidden in ("grader grade", "grader gradescope", "ch11-grader", "git+", "pip install -e",
                      "reference", "assignments/../", "--course"):
        assert forbidden not in text, forbidden
    for step in _steps(workflow):
        if step.get("uses", "").startswith("actions/checkout"):
            assert "repository" not in (step.get("with") or {}), "the student workflow checks out only itself"
    assert set(workflow["permissions"].values()) <= {"read"}


def test_the_instructor_workflow_keeps_its_token_out_of_the_grading_step():
    workflow = _workflow(INSTRUCTOR)
    assert "workflow_dispatch" in workflow["on"]
    assert set(workflow["permissions"].values()) <= {"read"}
    steps = _steps(workflow)
    checkout = [s for s in steps if s.get("uses", "").startswith("actions/checkout")]
    assert checkout and all(s["with"]["persist-credentials"] is False for s in checkout)
    assert "pip install -e ." in _step(workflow, "Install the grader")["run"]
    grade = _step(workflow, "Grade")
    assert "secrets" not in str(grade) and "GH_TOKEN" not in grade["run"]
    clone = _step(workflow, "Check out the student repositories")
    assert clone["env"] == {"GH_TOKEN": "${{ secrets.CLASSROOM_TOKEN }}"}
    assert 'rm -rf "submissions/$name/.git"' in clone["run"]
    assert "grader grade submissions/* --out graded --junit" in grade["run"]
    assert '--summary-md "$GITHUB_STEP_SUMMARY"' in grade["run"]


def _student_remote(remotes: Path, repository: str, notebook: Path) -> None:
    """A student's repository, served by a fake `gh` from the local disk."""
    folder = remotes / repository
    (folder / "assignments").mkdir(parents=True)
    shutil.copy(notebook, folder / "assignments" / "01_leaky_relu.ipynb")
    git = ["git", "-c", "user.name=student", "-c", "user.email=student@example.com", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "my work"]):
        subprocess.run([*git, *args], cwd=folder, check=True, capture_output=True)


FAKE_GH = """#!/usr/bin/env bash
# gh, as the workflow uses it, answered from $REMOTES
set -euo pipefail
[ -n "${GH_TOKEN:-}" ] || { echo "gh: no token" >&2; exit 4; }
case "$1 $2" in
  "repo list") (cd "$REMOTES" && ls -d "$3"/* | sort) ;;
  "repo clone") repository="$3" dest="$4"; shift 5; git clone "$@" "file://$REMOTES/$repository" "$dest" ;;
  *) echo "gh: unexpected $*" >&2; exit 1 ;;
esac
"""


def test_the_instructor_workflow_checks_out_and_grades_the_student_repositories(root, tmp_path, reference):
    workflow = _workflow(INSTRUCTOR)
    remotes, work, bin_dir = tmp_path / "remotes", tmp_path / "course", tmp_path / "bin"
    _student_remote(remotes, "classroom/ch11-dave", root / "examples" / "submissions" / "dave_leaky_relu.ipynb")
    _student_remote(remotes, "classroom/ch11-erin", notebooks.assignments_dir() / "01_leaky_relu.ipynb")
    _student_remote(remotes, "classroom/other-frank", root / "examples" / "submissions" / "dave_leaky_relu.ipynb")
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    work.mkdir()
    summary = tmp_path / "step_summary.md"
    env = _env(ORG="classroom", PREFIX="ch11", REMOTES=str(remotes), GITHUB_STEP_SUMMARY=str(summary))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"

    clone = _step(workflow, "Check out the student repositories")
    run = subprocess.run(["bash", "-c", clone["run"]], cwd=work, env={**env, "GH_TOKEN": "instructor-token"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert sorted(p.name for p in (work / "submissions").iterdir()) == ["dave", "erin"]  # not other-frank
    assert not list((work / "submissions").glob("*/.git")), "the clones keep no .git (nor credentials)"
    rows = (work / "graded" / "commits.csv").read_text().splitlines()
    assert rows[0] == "submission,repository,commit" and len(rows) == 3
    assert all(re.fullmatch(r"\w+,classroom/ch11-\w+,[0-9a-f]{40}", row) for row in rows[1:]), rows

    grade = _step(workflow, "Grade")
    run = subprocess.run(["bash", "-c", grade["run"]], cwd=work, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    suites = ET.parse(work / "graded" / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["dave", "erin"]
    text = summary.read_text()
    assert "dave" in text and "erin" in text
    upload = _step(workflow, "Keep the results")
    for path in upload["with"]["path"].split():  # what the artifact step uploads
        assert list(work.glob(path.replace("**/", "*/"))), path

    (work / "students.txt").write_text("# the class\nclassroom/ch11-erin\n\nnot a repository; rm -rf /\n")
    shutil.rmtree(work / "submissions")
    run = subprocess.run(["bash", "-c", clone["run"]], cwd=work, env={**env, "GH_TOKEN": "instructor-token"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert [p.name for p in (work / "submissions").iterdir()] == ["erin"]
    assert "malformed repository name" in run.stdout


def _student_repository(path: Path, notebooks_: dict[str, nbformat.NotebookNode | None]) -> Path:
    """A student's repository as GitHub Classroom makes it from the release bundle, with their work."""
    release(path)
    for template in (path / "assignments").glob("*.ipynb"):
        if template.stem not in notebooks_:
            template.unlink()
        elif notebooks_[template.stem] is not None:
            nbformat.write(notebooks_[template.stem], str(template))
    return path


def _selfcheck(workflow: dict, repository: Path, summary: Path) -> subprocess.CompletedProcess:
    step = _step(workflow, "Run the notebooks and their self-checks")
    # The install step (`pip install ./package nbclient`) is not run here: it would replace this
    # environment's grader; tests/test_release.py installs the package in a fresh environment.
    return subprocess.run(["bash", "-c", step["run"]], cwd=repository,
                          env=_env(GITHUB_STEP_SUMMARY=str(summary), **step.get("env", {})),
                          capture_output=True, text=True, timeout=900)


def test_the_student_workflow_runs_the_public_self_checks(tmp_path):
    workflow = _workflow(STUDENT)
    solved = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "correct_where")})

    done = _student_repository(tmp_path / "done", {"01_leaky_relu": solved})
    run = _selfcheck(workflow, done, tmp_path / "done.md")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "assignments/01_leaky_relu.ipynb | leaky_relu | passed" in run.stdout
    assert "| leaky_relu | passed |" in (tmp_path / "done.md").read_text()

    started = _student_repository(tmp_path / "started", {"01_leaky_relu": solved, "02_batch_norm": None})
    run = _selfcheck(workflow, started, tmp_path / "started.md")
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert "assignments/02_batch_norm.ipynb | bn_update_ops | not implemented" in run.stdout
    assert "leaky_relu | passed" in run.stdout
    assert "NotImplementedError" in run.stdout  # the training cells that need the missing function
    assert not (started / "graded").exists()  # no grading


@pytest.mark.parametrize("path", [STUDENT, INSTRUCTOR])
def test_the_workflows_name_the_documentation(path):
    assert "docs/untrusted-setups.md" in path.read_text()

"""The GitHub Actions example runs: its grading command, taken from the workflow file, works in a
student repository and writes what the next steps publish."""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def test_the_workflow_grade_step_runs_in_a_student_repository(root, tmp_path, reference):
    workflow = (root / "examples" / "ci" / "github-classroom.yml").read_text()
    command = re.search(r"run: (grader grade .*)", workflow).group(1)
    repo = tmp_path / "student-repo"
    repo.mkdir()
    shutil.copy(root / "examples" / "submissions" / "dave_leaky_relu.ipynb", repo / "01_leaky_relu.ipynb")
    summary = tmp_path / "step_summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    suites = ET.parse(repo / "graded" / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["student-repo"]
    assert (repo / "graded" / "student-repo" / "results.json").exists()
    assert "student-repo" in summary.read_text()
    for path in re.findall(r"^\s+(graded/\S+)$", workflow, flags=re.M):  # what the artifact step uploads
        if "feedback.html" not in path:  # (feedback pages come with the feedback issue)
            assert list(repo.glob(path.replace("**/", "*/"))), path

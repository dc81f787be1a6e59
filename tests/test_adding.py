"""README's "Adding an exercise", followed literally: in a copy of the project, the section's code
blocks are written to the files they name and a reference notebook is made as step 1 says; then
`grader generate` and `grader grade` run in the copy. Only a new folder and a new notebook (with
its generated template) change, the reference gets full marks and the template zero; and
`grader generate` refuses, in one line, a notebook or a folder without its other half."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("## Adding an exercise", 1)[1].split("\n## ", 1)[0]


def _files(section: str) -> dict[str, str]:
    """The section's code blocks whose first line names a file: `# grader/exercises/...`."""
    blocks = re.findall(r"```python\n# (\S+)\n(.*?)```", section, flags=re.S)
    return {path: body for path, body in blocks}


def _reference_notebook(section: str) -> nbformat.NotebookNode:
    """Step 1: a setup cell, the solution cell with the metadata the README gives, the self-check cell."""
    metadata = json.loads(re.search(r"is\s+`(\{\"grade_id\".*?\})`", section, flags=re.S).group(1))
    locked = {"nbgrader": {"grade_id": "09_relu6-setup", "locked": True, "solution": False, "schema_version": 3}}
    setup = ('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow.compat.v1 as tf\n'
             "tf.disable_v2_behavior()\nimport grader")
    solution = ("def relu6(z):\n    ### BEGIN SOLUTION\n    return tf.minimum(tf.maximum(z, 0.0), 6.0)\n"
                "    ### END SOLUTION")
    check = {"nbgrader": {"grade_id": "09_relu6-check", "locked": True, "solution": False, "schema_version": 3}}
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# ReLU6", metadata=locked),
        nbformat.v4.new_code_cell(setup, metadata=locked),
        nbformat.v4.new_code_cell(solution, metadata={"nbgrader": metadata}),
        nbformat.v4.new_code_cell('grader.check("relu6")', metadata=check),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def _run(copy: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    run = subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", *args], cwd=copy, env=env,
                         capture_output=True, text=True, timeout=900)
    if check:
        assert run.returncode == 0, run.stderr[-3000:]
    return run


def _git(copy: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=copy, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The project as it is (tracked and new files), in a repository of its own."""
    copy = tmp_path_factory.mktemp("project") / "ch11"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "copy")
    section = _section()
    files = _files(section)
    assert len(files) >= 5, "the README's section lost its files"
    for path, body in files.items():
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_text(body)
    nbformat.write(_reference_notebook(section), str(copy / "reference" / "09_relu6.ipynb"))
    return copy


def test_generate_writes_the_template_and_only_new_files_appear(copy):
    _run(copy, "generate")
    changed = _git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert all(line.startswith("??") for line in changed), changed  # nothing existing was modified
    paths = sorted(line[3:] for line in changed)
    assert all(p.startswith("grader/exercises/relu6/") or p in ("reference/09_relu6.ipynb",
                                                                  "assignments/09_relu6.ipynb",
                                                                  "assignments/zh/09_relu6.ipynb")
               for p in paths), paths
    assert "raise NotImplementedError()" in (copy / "assignments" / "09_relu6.ipynb").read_text()
    # the Chinese template: the same code cells (its markdown stays English until notebooks.po translates it)
    en, zh = (json.loads((copy / "assignments" / sub / "09_relu6.ipynb").read_text()) for sub in ("", "zh"))
    assert [c["source"] for c in en["cells"] if c["cell_type"] == "code"] == \
        [c["source"] for c in zh["cells"] if c["cell_type"] == "code"]


def test_the_reference_gets_full_marks_and_the_template_zero(copy, tmp_path):
    _run(copy, "generate")
    _run(copy, "grade", "reference/09_relu6.ipynb", "--out", str(tmp_path / "ref"), "--timeout", "120")
    _run(copy, "grade", "assignments/09_relu6.ipynb", "--out", str(tmp_path / "asg"), "--timeout", "120")
    ref = json.loads((tmp_path / "ref" / "09_relu6" / "results.json").read_text())
    asg = json.loads((tmp_path / "asg" / "09_relu6" / "results.json").read_text())
    mine = [t for t in ref["tests"] if t["extra_data"]["exercise"] == "relu6"]
    assert mine and all(t["status"] == "passed" for t in mine), [t["output"] for t in mine]
    template = [t for t in asg["tests"] if t["extra_data"]["exercise"] == "relu6"]
    assert template and all(t["score"] == 0 and "Not implemented" in t["output"] for t in template), template
    executed = (tmp_path / "ref" / "09_relu6" / "09_relu6.executed.ipynb").read_text()
    assert "relu6: passed" in executed  # the public self-check ran in the notebook, from the new folder


def test_generate_refuses_a_notebook_or_a_folder_without_its_other_half(copy):
    orphan = copy / "reference" / "10_orphan.ipynb"
    nb = _reference_notebook(_section())
    nb.cells[2].metadata["nbgrader"]["grade_id"] = "no_such_exercise"
    nbformat.write(nb, str(orphan))
    run = _run(copy, "generate", check=False)
    orphan.unlink()
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "no_such_exercise" in run.stderr and "Traceback" not in run.stderr
    moved = copy / "reference" / "09_relu6.ipynb"
    moved.rename(copy / "09_relu6.ipynb")
    try:
        run = _run(copy, "generate", check=False)
    finally:
        (copy / "09_relu6.ipynb").rename(moved)
    assert run.returncode == 1 and "exercise relu6 has no solution cell" in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1

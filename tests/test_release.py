"""The student bundle: nothing of the reference or the hidden checks is in it, and its self-checks
work from a fresh virtual environment where only the bundle is installed."""
import json
import re
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.exercises import EXERCISES
from grader.release import release
from submissions import fill, variant


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("release") / "bundle")


def _texts(folder: Path) -> dict[Path, str]:
    return {p: p.read_text(errors="ignore") for p in folder.rglob("*") if p.is_file() and p.suffix != ".gz"}


def _solution_lines() -> list[str]:
    lines = []
    for path in notebooks.reference_dir().glob("*.ipynb"):
        for cell in notebooks.read(path).cells:
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and line.strip():
                    lines.append(line.strip())
    return lines


def test_the_bundle_holds_templates_readme_and_package(bundle):
    assert sorted(p.name for p in (bundle / "assignments").iterdir()) == sorted(
        p.name for p in notebooks.assignments_dir().glob("*.ipynb"))
    assert (bundle / "README.md").read_text().count("grader.check") >= 1
    assert {p.name for p in (bundle / "package" / "grader").iterdir()} == {"__init__.py", "selfcheck.py", "data.py",
                                                                          "mnist"}


def test_no_solution_line_is_in_the_bundle(bundle):
    texts = _texts(bundle)
    solution = _solution_lines()
    assert len(solution) >= 10
    for line in solution:
        leaks = [str(p.relative_to(bundle)) for p, text in texts.items() if line in text]
        assert not leaks, f"solution line {line!r} found in {leaks}"


def test_no_hidden_check_seed_or_reference_number_is_in_the_bundle(bundle, reference):
    import importlib
    texts = "\n".join(_texts(bundle).values())
    for exercise in EXERCISES:
        module = importlib.import_module(f"grader.exercises.{exercise}")
        assert str(module.HIDDEN_SEED) not in texts, exercise
        for check in EXERCISES[exercise].checks:
            assert check.name not in texts, check.name
    assert "HIDDEN_SEED" not in texts and not re.search(r"(from|import) [.\w]*(harness|exercises)", texts)
    accuracies = [float(o.values["accuracy"]) for o in reference.values() if "accuracy" in o.values]
    assert accuracies
    for accuracy in accuracies:
        for shown in (f"{accuracy:.4f}", f"{accuracy:.2%}", f"{accuracy * 100:.1f}"):
            assert not re.search(rf"(?<![\d.]){re.escape(shown)}(?!\d)", texts), shown


def test_self_checks_work_from_a_fresh_install_of_the_bundle(bundle, tmp_path):
    env_dir = tmp_path / "student-venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(bundle / "package"), "nbclient"],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    where = subprocess.run([str(python), "-c", "import grader, os; print(os.listdir(os.path.dirname(grader.__file__)))"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert "exercises" not in where.stdout and "selfcheck.py" in where.stdout, where.stdout + where.stderr
    solved = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "correct_where")})
    nbformat.write(solved, str(tmp_path / "01_leaky_relu.ipynb"))
    (tmp_path / "02_batch_norm.ipynb").write_text((bundle / "assignments" / "02_batch_norm.ipynb").read_text())
    runner = '''import json, sys, nbformat
from nbclient import NotebookClient
found = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "parameters" not in c.metadata.get("tags", [])]
    client = NotebookClient(nb, timeout=120, allow_errors=True, record_timing=True,
                            resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}})
    client.execute()
    for cell in nb.cells:
        if "grader.check(" in cell.source:
            timing = cell.metadata["execution"]
            text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            found[cell.source.split('"')[1]] = [text, timing["shell.execute_reply"], timing["iopub.execute_input"]]
print(json.dumps(found))
'''
    run = subprocess.run([str(python), "-c", runner, str(tmp_path / "01_leaky_relu.ipynb"),
                          str(tmp_path / "02_batch_norm.ipynb")], capture_output=True, text=True, timeout=600,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert "leaky_relu: passed" in found["leaky_relu"][0], found
    assert "bn_update_ops: not implemented" in found["bn_update_ops"][0], found
    from datetime import datetime
    for exercise, (_, end, start) in found.items():
        seconds = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                   - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
        assert seconds < 15, f"{exercise}: the self-check took {seconds:.1f} s"

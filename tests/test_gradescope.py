import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.exercises import EXERCISES
from grader.gradescope import build_bundle

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent  # where the installed `grader` command is


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bundle")
    zip_path = build_bundle(folder / "autograder.zip")
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(folder / "unzipped")
        modes = {info.filename: info.external_attr >> 16 for info in z.infolist()}
    # extractall drops the modes; Gradescope keeps them, so restore them the way unzip does.
    for name, mode in modes.items():
        os.chmod(folder / "unzipped" / name, stat.S_IMODE(mode))
    return folder / "unzipped"


def run_autograder(bundle: Path, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", str(bundle / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600)


def assert_gradescope_json(data: dict) -> None:
    assert isinstance(data["score"], (int, float)) and isinstance(data["output"], str)
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert test["extra_data"]["exercise"] in EXERCISES


def test_bundle_holds_the_scripts_and_the_source(bundle):
    assert (bundle / "setup.sh").is_file()
    assert os.access(bundle / "run_autograder", os.X_OK)
    assert os.access(bundle / "setup.sh", os.X_OK)
    for part in ("pyproject.toml", "README.md", "grader/cli.py", "grader/mnist", "reference/01_leaky_relu.ipynb",
                 "assignments/04_layer_reuse.ipynb"):
        assert (bundle / "source" / part).exists(), part
    every = [p.relative_to(bundle) for p in bundle.rglob("*")]
    assert not [p for p in every if "__pycache__" in p.parts or "tests" in p.parts or p.suffix == ".pyc"]
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(bundle / script)], check=True)  # parses


def test_bundle_is_reproducible(tmp_path):
    first = build_bundle(tmp_path / "a.zip").read_bytes()
    assert build_bundle(tmp_path / "b.zip").read_bytes() == first


def test_run_autograder_grades_the_submission(bundle, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    shutil.copy(ROOT / "examples" / "submissions" / "dave_leaky_relu.ipynb", root / "submission")
    run = run_autograder(bundle, root)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_json(data)
    leaky = [t for t in data["tests"] if t["extra_data"]["exercise"] == "leaky_relu"]
    assert sum(t["score"] for t in leaky) == 1.0  # dave hard-coded alpha: only the naming and training tests pass
    assert sum(t["max_score"] for t in leaky) == 2.0
    assert {t["extra_data"]["exercise"] for t in data["tests"]} == set(EXERCISES)


def test_run_autograder_still_writes_results_when_grading_produces_nothing(bundle, tmp_path):
    root = tmp_path / "autograder"  # no submission folder at all: `grader grade` stops with a usage error
    run = run_autograder(bundle, root)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_json(data)
    assert data["score"] == 0 and data["tests"] == []
    assert "could not grade" in data["output"] and "exit status 2" in data["output"]
    assert "no such file or folder" in data["output"]

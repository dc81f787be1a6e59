import json
import os
import re
import shutil
import site
import stat
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from grader.exercises import EXERCISES
from grader.gradescope import SETUP_SH, build_bundle

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


@pytest.fixture(scope="module")
def installed(bundle, tmp_path_factory) -> Path:
    """The bin/ of a fresh virtual environment where the grader is installed from the bundle by setup.sh's
    own install line. Its dependencies come from this environment (a .pth file), not from the network."""
    env_dir = tmp_path_factory.mktemp("gradescope-venv") / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    (Path(where) / "zz_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    line = re.search(r'^("\$venv/bin/python" -m pip install .*"\$here/source")$', SETUP_SH, flags=re.M).group(1)
    run = subprocess.run(["bash", "-c", f"set -e; venv={env_dir}; here={bundle}; {line} --no-deps -q"],
                         capture_output=True, text=True, timeout=600, env=_clean_env())
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return env_dir / "bin"


def _clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH: on Gradescope nothing but the installed grader is importable."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def run_autograder(bundle: Path, root: Path, bin_dir: Path = VENV_BIN) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    if bin_dir != VENV_BIN:
        # The fresh environment borrows this one's packages through a .pth file, which bubblewrap's view of
        # the Python installation does not include (on Gradescope they are installed in the same venv):
        # Landlock, which lets student code read them, stands in for it here.
        env = {**_clean_env(), "AUTOGRADER_ROOT": str(root), "PATH": env["PATH"], "CH11_SANDBOX": "landlock"}
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
    for part in ("pyproject.toml", "README.md", "grader/cli.py", "grader/exercises/__init__.py", "grader/mnist"):
        assert (bundle / "source" / part).exists(), part
    # the whole grader package: hidden checks, judge and all
    package = {p.relative_to(ROOT) for p in (ROOT / "grader").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert package and not [p for p in package if not (bundle / "source" / p).is_file()]
    # what grading needs and the installable wheel lacks: every reference notebook, and the templates
    for kind in ("reference", "assignments"):
        expected = sorted(p.name for p in (ROOT / kind).glob("*.ipynb"))
        assert expected and sorted(p.name for p in (bundle / "source" / kind).glob("*.ipynb")) == expected, kind
        for name in expected:
            assert (bundle / "source" / kind / name).read_bytes() == (ROOT / kind / name).read_bytes(), name
    every = [p.relative_to(bundle) for p in bundle.rglob("*")]
    assert not [p for p in every if "__pycache__" in p.parts or "tests" in p.parts or p.suffix == ".pyc"]
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(bundle / script)], check=True)  # parses


def test_bundle_is_reproducible(tmp_path):
    first = build_bundle(tmp_path / "a.zip").read_bytes()
    assert build_bundle(tmp_path / "b.zip").read_bytes() == first


def test_the_grader_installed_by_setup_sh_grades_from_the_bundle(bundle, installed):
    run = subprocess.run([str(installed / "python"), "-c",
                          "from grader import notebooks; print(notebooks.reference_dir()); "
                          "print(notebooks.assignments_dir())"], capture_output=True, text=True, cwd=installed,
                         env=_clean_env())
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [str(bundle / "source" / "reference"), str(bundle / "source" / "assignments")]


def test_run_autograder_grades_the_submission(bundle, installed, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    shutil.copy(ROOT / "examples" / "submissions" / "dave_leaky_relu.ipynb", root / "submission")
    run = run_autograder(bundle, root, installed)  # the grader setup.sh installed from the bundle
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_json(data)
    assert data["output_format"] == data["test_output_format"] == "md"  # Gradescope renders the messages
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


def test_messages_reach_gradescope_as_markdown_that_shows_the_same_text(tmp_path):
    from markdown_it import MarkdownIt

    from grader.gradescope import for_gradescope
    message = ("with alpha=0.2: max(alpha*z, z) gave [0.5, 1.0] for `leaky_relu(z)` <op>\n"
               "Hint: hidden1/w_2 and *args stay as written")
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"score": 0, "output": "a_b*c", "tests": [
        {"name": "t", "score": 0, "max_score": 1, "output": message, "extra_data": {"exercise": "leaky_relu"}}]}))
    for_gradescope(source, tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["output_format"] == data["test_output_format"] == "md"
    html = MarkdownIt("commonmark").render(data["tests"][0]["output"])
    assert "<code>leaky_relu(z)</code>" in html and "<em>" not in html and "<op>" not in html
    assert "max(alpha*z, z) gave [0.5, 1.0]" in html and "&lt;op&gt;<br />" in html and "hidden1/w_2" in html
    assert MarkdownIt("commonmark").render(data["output"]).strip() == "<p>a_b*c</p>"

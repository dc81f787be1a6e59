"""The student bundle: nothing of the reference or the hidden checks is in it, and its self-checks
work from a fresh virtual environment where only the bundle is installed."""
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import numpy as np
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
            if "." in (notebooks.grade_id(cell) or ""):
                continue  # exercise 8's and 9's training cells: the book's boilerplate, which their text shows
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
    package = bundle / "package" / "grader"
    assert {p.name for p in package.iterdir()} == {"__init__.py", "selfcheck.py", "data.py", "mnist", "exercises",
                                                       "quiet_import.py", "handin.py", "i18n.py", "locale"}
    assert [p.relative_to(package / "locale").as_posix() for p in (package / "locale").rglob("*") if p.is_file()] \
        == ["zh_CN/LC_MESSAGES/grader.mo"]  # the messages; the notebooks' catalog stays with the instructor
    assert {p.name for p in (package / "exercises").rglob("*") if p.is_file()} == {"__init__.py", "selfcheck.py"}
    assert [p.name for p in (package / "mnist").iterdir()] == ["public-sample.npz"]


def test_the_bundle_holds_no_image_of_the_grading_split(bundle):
    from grader.data import load_sample
    grading = load_sample().test
    with np.load(bundle / "package" / "grader" / "mnist" / "public-sample.npz", allow_pickle=False) as f:
        shipped = np.concatenate([f["train_x"], f["valid_x"]]).reshape(-1, 784)
    assert len(shipped) == 8000
    shipped_rows = {row.tobytes() for row in shipped}
    held_out = {np.rint(row * 255).astype(np.uint8).tobytes() for row in grading.X}
    assert not shipped_rows & held_out


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
        module = importlib.import_module(f"grader.exercises.{exercise}.build")
        if hasattr(module, "HIDDEN_SEED"):
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
    alone = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only what the venv holds
    # What `pip install ./package` installs in a fresh environment, resolved from the index as a student's
    # pip resolves it (nothing installed yet: unpacking TensorFlow into the venv took ~45 s of the suite).
    report = tmp_path / "report.json"
    resolve = subprocess.run([str(python), "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed",
                              "--report", str(report), str(bundle / "package"), "nbclient"],
                             capture_output=True, text=True, timeout=900, env=alone)
    assert resolve.returncode == 0, resolve.stderr[-2000:]
    resolved = {re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()
                for item in json.loads(report.read_text())["install"]}
    assert {"ch11-student", "tensorflow", "tf-keras", "numpy", "ipykernel", "nbclient"} <= resolved, resolved
    # Then the bundle's package itself, in the venv; its dependencies seen (not copied) from the
    # grader's environment through a .pth file, which runs none of that folder's own .pth files:
    # the grader installed there in development mode stays invisible.
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed.pth").write_text(str(Path(np.__file__).parents[1]) + "\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(bundle / "package")],
                             capture_output=True, text=True, timeout=900, env=alone)
    assert install.returncode == 0, install.stderr[-2000:]
    where = subprocess.run([str(python), "-c", "import grader, os; print(os.listdir(os.path.dirname(grader.__file__)))"],
                           capture_output=True, text=True, cwd=tmp_path, env=alone)
    assert "selfcheck.py" in where.stdout, where.stdout + where.stderr
    hidden = subprocess.run([str(python), "-c", "import grader, pathlib; print(sorted(p.name for p in "
                             "pathlib.Path(grader.__file__).parent.rglob('*.py')))"],
                            capture_output=True, text=True, cwd=tmp_path, env=alone)
    assert not re.search(r"'(checks|build|measure|model|verify|server)\.py'", hidden.stdout), hidden.stdout
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
                         cwd=tmp_path, env=alone)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert "leaky_relu: passed" in found["leaky_relu"][0], found
    assert "bn_update_ops: not implemented" in found["bn_update_ops"][0], found
    from datetime import datetime
    for exercise, (_, end, start) in found.items():
        seconds = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                   - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
        assert seconds < 15, f"{exercise}: the self-check took {seconds:.1f} s"


def _archive_texts(path: Path) -> dict[str, str]:
    import tarfile
    import zipfile
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n).decode(errors="ignore") for n in z.namelist() if not n.endswith("/")}
    with tarfile.open(path) as t:
        return {m.name: t.extractfile(m).read().decode(errors="ignore") for m in t.getmembers() if m.isfile()}


def test_the_installable_package_holds_no_reference_solution(root, tmp_path):
    """What `pip install <checkout or git URL>` installs (the wheel), and the sdist, carry the templates
    but no solution: the grader is installed into places students can read (a student repository's CI)."""
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
                          str(root)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    archives = list((tmp_path / "wheel").glob("*.whl"))
    try:
        import build  # noqa: F401  (the test extra installs it; the sdist is what a package index serves)
    except ImportError:
        pass
    else:
        run = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path / "sdist"),
                              str(root)], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        archives += list((tmp_path / "sdist").glob("*.tar.gz"))
    assert archives
    solution = _solution_lines()
    assert len(solution) >= 10
    for archive in archives:
        texts = _archive_texts(archive)
        assert any(name.endswith("grader/cli.py") for name in texts), archive.name  # the grader itself is there
        assert any(name.endswith("assignments/01_leaky_relu.ipynb") for name in texts), archive.name
        assert not [n for n in texts if "reference" in Path(n).parts], archive.name
        for line in solution:
            leaks = [name for name, text in texts.items() if line in text]
            assert not leaks, f"{archive.name}: solution line {line!r} found in {leaks}"


def test_the_bundle_is_copied_by_allowlist_only(root, tmp_path, monkeypatch):
    """Modules added to grader/ later (a judge, a new hidden check), stray files in mnist/, and notebook
    checkpoints beside the templates never reach the bundle; a student module importing one stops the release."""
    import shutil

    from grader import release as release_module
    package = tmp_path / "grader"
    shutil.copytree(root / "grader", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "judge_secret.py").write_text("HIDDEN = 'judge-secret-value'\n")
    (package / "judge").mkdir(exist_ok=True)
    (package / "judge" / "hidden.py").write_text("HIDDEN = 'judge-package-secret'\n")
    (package / "mnist" / "answers.py").write_text("HIDDEN = 'mnist-stray-secret'\n")
    templates = tmp_path / "assignments"
    shutil.copytree(notebooks.assignments_dir(), templates)
    (templates / ".ipynb_checkpoints").mkdir()
    (templates / ".ipynb_checkpoints" / "01_leaky_relu-checkpoint.ipynb").write_text(
        (root / "reference" / "01_leaky_relu.ipynb").read_text())
    (templates / "notes.txt").write_text("checkpoint-secret\n")
    from grader import stage
    monkeypatch.setattr(release_module, "_PACKAGE", package)
    monkeypatch.setattr(stage, "PACKAGE", package)
    monkeypatch.setattr(notebooks, "assignments_dir", lambda: templates)

    out = release_module.release(tmp_path / "bundle")
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    staged = [f"package/grader/{m}" for m in stage.staged_files("public", package)]
    inits = ["package/grader/exercises/__init__.py"] + [f"package/grader/exercises/{e}/__init__.py"
                                                         for e in EXERCISES]
    catalogs = [f"package/grader/locale/{p.parent.parent.name}/LC_MESSAGES/grader.mo"  # its own messages only
                for p in (package / "locale").glob("*/LC_MESSAGES/grader.po")]
    assert files == sorted(["README.md", "package/pyproject.toml", "package/grader/mnist/public-sample.npz"]
                           + staged + inits + catalogs
                           + [f"assignments/{p.name}" for p in notebooks.assignments_dir().glob("*.ipynb")]), files
    texts = "\n".join(_texts(out).values())
    for secret in ("judge-secret-value", "judge-package-secret", "mnist-stray-secret", "checkpoint-secret",
                   "### BEGIN SOLUTION"):
        assert secret not in texts, secret

    (package / "selfcheck.py").write_text((package / "selfcheck.py").read_text() + "\nfrom .judge_secret import HIDDEN\n")
    with pytest.raises(RuntimeError, match="judge_secret"):
        release_module.release(tmp_path / "bundle2")
    assert not (tmp_path / "bundle2").exists()

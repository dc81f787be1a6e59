"""What an instructor hands to students: `grader release --out DIR`.

    DIR/README.md        how to install, open the notebooks and self-check
    DIR/assignments/     the templates (no solutions)
    DIR/package/         an installable package `grader` with the public self-checks
                         and the bundled MNIST sample only: no reference solution,
                         hidden check, hidden input or reference number.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import notebooks

_PACKAGE = Path(__file__).resolve().parent
# The bundle is copied by allowlist only: exactly the modules a student's notebook imports and the data
# they read. Everything else in grader/ (exercises/, checks.py, judge/, judge*, any module added
# later) stays with the instructor, whatever it is called.
STUDENT_MODULES = ("__init__.py", "selfcheck.py", "data.py")
STUDENT_DATA = {"mnist": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
_SOLUTION_MARK = "### BEGIN SOLUTION"

PYPROJECT = '''[build-system]
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "ch11-student"
version = "{version}"
description = "Self-checks and data for the chapter 11 exercises (Training Deep Neural Networks)"
requires-python = ">=3.10"
dependencies = ["tensorflow>=2.16", "tf-keras>=2.16", "numpy", "ipykernel>=6.0"]

[tool.hatch.build.targets.wheel]
packages = ["grader"]
'''

README = '''# Chapter 11 exercises: Training Deep Neural Networks

Four notebooks, five functions to write, in TensorFlow 1.x style (as in the book),
run on current TensorFlow through `tensorflow.compat.v1`.

## Install

```bash
python3 -m venv ch11 && . ch11/bin/activate
pip install ./package jupyterlab
jupyter lab assignments/
```

The MNIST images the notebooks train on (10,000 official MNIST digits) come
with the package: nothing is downloaded.

## Work

In each notebook, replace `raise NotImplementedError()` in the cells marked
`# YOUR CODE HERE` with your code. Leave the other cells as they are: they are
restored from the original when your work is graded. You may add cells.

| notebook | you write |
|---|---|
| `01_leaky_relu.ipynb` | `leaky_relu(z, alpha=0.01, name=None)` |
| `02_batch_norm.ipynb` | `bn_training_op(optimizer, loss)` |
| `03_gradient_clipping.ipynb` | `clipped_training_op(optimizer, loss, threshold=1.0)` |
| `04_layer_reuse.ipynb` | `restore_reused_layers(sess, checkpoint_path, scope="hidden[123]")`, `frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs")` |

## Check yourself

The cell after each of yours runs `grader.check("<exercise>")`: a few quick,
public checks that show "passed", "not implemented", or what differed. Run
`grader.check_all()` anywhere to check every exercise of the notebook. Passing
them is a good sign, not the grade: grading runs more checks, on inputs you do
not see, and trains the book's networks with your functions.
'''


def _check_imports(module: Path) -> None:
    """A student module may import only the other student modules of the package: anything else
    would be missing from the bundle (or, worse, tempt someone to add it)."""
    allowed = {Path(m).stem for m in STUDENT_MODULES} | set(STUDENT_DATA)
    source = module.read_text(encoding="utf-8")
    names = re.findall(r"^\s*from\s+(?:grader)?\.+\s*([\w.]*)\s+import\s+([\w, ()]+)", source, flags=re.M)
    names += [(m, "") for m in re.findall(r"^\s*import\s+grader\.([\w.]+)", source, flags=re.M)]
    for target, imported in names:
        parts = [target.split(".")[0]] if target else [n.strip() for n in imported.strip("() ").split(",")]
        bad = [n for n in parts if n and n not in allowed and n != "__init__"]
        if target == "" and bad:  # `from . import x`: x may be a name of __init__, not a module
            bad = [n for n in bad if (_PACKAGE / f"{n}.py").exists() or (_PACKAGE / n).is_dir()]
        if bad:
            raise RuntimeError(f"{module.name} imports {', '.join(bad)}, which the student bundle does not hold")


def release(out: Path) -> Path:
    """Write the student bundle into `out` (which must not exist yet, or be empty)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    templates = sorted(notebooks.assignments_dir().glob("*.ipynb"))  # not .ipynb_checkpoints/ or anything else
    for template in templates:
        if _SOLUTION_MARK in template.read_text(encoding="utf-8"):
            raise ValueError(f"{template} holds a solution; run `grader generate` first")
    for module in STUDENT_MODULES:
        _check_imports(_PACKAGE / module)
    out.mkdir(parents=True, exist_ok=True)
    (out / "assignments").mkdir()
    for template in templates:
        shutil.copy(template, out / "assignments" / template.name)
    package = out / "package" / "grader"
    package.mkdir(parents=True)
    for module in STUDENT_MODULES:
        shutil.copy(_PACKAGE / module, package / module)
    for folder, files in STUDENT_DATA.items():
        (package / folder).mkdir()
        for name in files:
            shutil.copy(_PACKAGE / folder / name, package / folder / name)
    from importlib import metadata
    try:
        version = metadata.version("ch11-grader")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    (out / "package" / "pyproject.toml").write_text(PYPROJECT.format(version=version))
    (out / "README.md").write_text(README)
    return out

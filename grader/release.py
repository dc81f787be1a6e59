"""What an instructor hands to students: `grader release --out DIR [--lang zh]`.

    DIR/README.md        how to install, open the notebooks and self-check
    DIR/assignments/     the templates (no solutions), in the bundle's language
    DIR/package/         an installable package `grader` with the public self-checks
                         and the bundled MNIST sample only: no reference solution,
                         hidden check, hidden input or reference number.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import notebooks
from .i18n import N_, _, using

_PACKAGE = Path(__file__).resolve().parent
# The bundle's package is the kernel's staged package (grader/stage.py): exactly what a student's
# notebook imports (grader.check, each exercise's public self-check, the data), copied by allowlist.
# Everything else in grader/ (checks, builds, measurements, the judge, anything added later) stays
# with the instructor, whatever it is called.
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

README = N_('''# Chapter 11 exercises: Training Deep Neural Networks

{notebooks} notebooks, {functions} functions to write, in TensorFlow 1.x style (as in the book),
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
{table}

To hand in: your filled notebooks (the `.ipynb` files), as your course asks.

## Check yourself

The cell after each of yours runs `grader.check("<exercise>")`: a few quick,
public checks that show "passed", "not implemented", or what differed. Run
`grader.check_all()` anywhere to check every exercise of the notebook. Passing
them is a good sign, not the grade: grading runs more checks, on inputs you do
not see, and trains the book's networks with your functions.
''')


def _table(checks: dict) -> tuple[str, int, int]:
    """The README's table, derived from the exercises' public self-checks: (rows, notebooks, functions)."""
    by_notebook: dict[str, list[str]] = {}
    for module in checks.values():
        by_notebook.setdefault(module.NOTEBOOK, []).append(f"`{module.SIGNATURE}`".replace("|", "\\|"))
    rows = [f"| `{nb}.ipynb` | {', '.join(sigs)} |" for nb, sigs in sorted(by_notebook.items())]
    return "\n".join(rows), len(by_notebook), len(checks)


def _check_imports(package: Path) -> None:
    """A staged module may import only staged modules: anything else would be missing from the bundle
    (or, worse, tempt someone to add it)."""
    root = package.parent
    for module in package.rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        here = module.parent.relative_to(root).parts
        targets = re.findall(r"^\s*(?:from|import)\s+(grader(?:\.\w+)*)", source, flags=re.M)
        for dots, name, imported in re.findall(r"^\s*from\s+(\.+)([\w.]*)\s+import\s+([\w, ()]+)", source, flags=re.M):
            base = ".".join(here[:len(here) - len(dots) + 1])
            targets += [f"{base}.{name}"] if name else [f"{base}.{n.strip()}" for n in imported.strip("() ").split(",")]
        for target in targets:
            path = root.joinpath(*target.split("."))
            if not (path.with_suffix(".py").exists() or (path / "__init__.py").exists()
                    or (not name_is_module(target, root))):
                raise RuntimeError(f"{module.relative_to(root)} imports {target}, "
                                   "which the student bundle does not hold")


def name_is_module(target: str, root: Path) -> bool:
    """`from . import x` may import a name of the package's __init__, not a module: a module it is
    when the instructor's package has one by that name."""
    relative = target.split(".")[1:]
    path = _PACKAGE.joinpath(*relative) if relative else _PACKAGE
    return path.with_suffix(".py").exists() or path.is_dir()


def release(out: Path, lang: str = "en") -> Path:
    """Write the student bundle into `out` (which must not exist yet, or be empty), in `lang`: its
    notebooks, its README and what its self-checks say (GRADER_LANG unset: the student's locale)."""
    from .selfcheck import public_checks
    from .stage import stage_package
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    templates = sorted(notebooks.templates_dir(lang).glob("*.ipynb"))  # not .ipynb_checkpoints/ or anything else
    for template in templates:
        if _SOLUTION_MARK in template.read_text(encoding="utf-8"):
            raise ValueError(f"{template} holds a solution; run `grader generate` first")
    from .generate import course_problems
    problems = course_problems(notebooks.templates_dir(lang))
    if problems:
        raise ValueError("; ".join(problems))
    checks = public_checks()
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:  # checked before anything is written to `out`
        staged = stage_package("public", Path(scratch) / "package")
        _check_imports(staged / "grader")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staged, out / "package")
    (out / "assignments").mkdir()
    for template in templates:
        shutil.copy(template, out / "assignments" / template.name)
    from importlib import metadata
    try:
        version = metadata.version("ch11-grader")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    (out / "package" / "pyproject.toml").write_text(PYPROJECT.format(version=version))
    if lang != "en":  # the self-checks' language where the student's environment names none
        (out / "package" / "grader" / "locale" / "default").write_text(lang + "\n", encoding="utf-8")
    table, n_notebooks, n_functions = _table(checks)
    # English spells small numbers out; other languages get digits.
    words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight"} if lang == "en" else {}
    small = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"} if lang == "en" else {}
    with using(lang):
        text = _(README).format(notebooks=words.get(n_notebooks, str(n_notebooks)),
                                functions=small.get(n_functions, str(n_functions)), table=table)
    (out / "README.md").write_text(text, encoding="utf-8")
    return out

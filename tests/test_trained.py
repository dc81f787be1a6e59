"""Exercises 8 and 9 end to end: notebooks whose training cells come from tests/trained_variants/
(each replaces one training cell of the reference notebook; the other training cells hand in
nothing), and the two templates, graded in one real run (kernels, builder, judge)."""
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.exercises import EXERCISES

VARIANTS = sorted((Path(__file__).parent / "trained_variants").glob("*/*.py"))
ROOT = Path(__file__).resolve().parents[1]


def _header(path: Path) -> dict:
    lines = path.read_text().splitlines()
    replaces = re.fullmatch(r"# replaces: (\S+)", lines[1]).group(1)
    expect = re.fullmatch(r'# expect: (full|fails (\w+) "(.*)")', lines[2])
    return {"replaces": replaces, "full": expect.group(1) == "full", "check": expect.group(2),
            "phrase": expect.group(3) or ""}


def _name(path: Path) -> str:
    return f"{path.parent.name}__{path.stem}"


def _groups() -> dict[str, list[Path]]:
    """Variants packed into notebooks: the k-th variant of each training cell goes into notebook k of
    its exercise (one kernel and one dnn for up to three models; the cells hand in separately)."""
    groups, seen = {}, {}
    for path in VARIANTS:
        cell = _header(path)["replaces"]
        k = seen[cell] = seen.get(cell, -1) + 1
        groups.setdefault(f"{path.parent.name}__{k}", []).append(path)
    return groups


def _group_of(path: Path) -> str:
    return next(name for name, paths in _groups().items() if path in paths)


def _variant_notebook(exercise: str, paths: list[Path]) -> nbformat.NotebookNode:
    sources = {_header(p)["replaces"]: p.read_text() for p in paths}
    nb = notebooks.read(notebooks.reference_dir() / f"{EXERCISES[exercise].notebook}.ipynb")
    for cell in nb.cells:
        gid = notebooks.grade_id(cell) if notebooks.is_solution(cell) else None
        if gid in sources:
            cell.source = sources[gid]
        elif gid and gid.startswith(exercise + "."):
            cell.source = "pass  # no variant of this cell in this notebook: nothing handed in"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trained")
    paths = []
    for name, group in _groups().items():
        target = folder / f"{name}.ipynb"
        nbformat.write(_variant_notebook(group[0].parent.name, group), str(target))
        paths.append(target)
    for stem in ("07_exercise_8_deep_mnist", "08_exercise_9_transfer"):
        target = folder / f"template_{stem[:2]}.ipynb"
        target.write_bytes((notebooks.assignments_dir() / f"{stem}.ipynb").read_bytes())
        paths.append(target)
    out = folder / "out"
    run = subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", "grade", *map(str, paths), "--out", str(out),
                          "--jobs", "2", "--timeout", "300"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    return {p.stem: json.loads((out / p.stem / "results.json").read_text()) for p in paths}


def _by_handin(results: dict, exercise: str, handin: str) -> list[dict]:
    names = {f"{exercise}: {c.name}" for c in EXERCISES[exercise].checks if c.handin == handin}
    return [t for t in results["tests"] if t["extra_data"]["exercise"] == exercise and t["name"] in names]


def _check(exercise: str, key: str):
    return EXERCISES[exercise].check(key)


def test_the_corpus_has_correct_and_wrong_trained_models():
    for exercise in ("deep_mnist", "transfer_mnist"):
        headers = [_header(p) for p in VARIANTS if p.parent.name == exercise]
        assert sum(h["full"] for h in headers) >= 2 and sum(not h["full"] for h in headers) >= 2, exercise


@pytest.mark.parametrize("path", VARIANTS, ids=_name)
def test_each_trained_variant_gets_its_verdict(graded, path):
    exercise, header = path.parent.name, _header(path)
    results = graded[_group_of(path)]
    handin = {"train": "transfer"}.get(header["replaces"].split(".", 1)[1], header["replaces"].split(".", 1)[1])
    handed = _by_handin(results, exercise, handin)
    assert handed, f"no test of the model {handin}"
    if header["full"]:
        lost = [f"{t['name']}: {t['output']}" for t in handed if t["score"] < t["max_score"]]
        assert not lost, lost
    else:
        name = f"{exercise}: {_check(exercise, header['check']).name}"
        [test] = [t for t in handed if t["name"] == name]
        assert test["score"] < test["max_score"], test["output"]
        assert header["phrase"] in test["output"], test["output"]
    structure = [t for t in results["tests"] if t["extra_data"]["exercise"] == exercise
                 and t["name"] == f"{exercise}: {EXERCISES[exercise].checks[0].name}"]
    assert structure and structure[0]["score"] == structure[0]["max_score"], structure  # the reference's function


@pytest.mark.parametrize("stem", ["template_07", "template_08"])
def test_the_templates_get_zero_with_reasons(graded, stem):
    exercise = "deep_mnist" if stem.endswith("07") else "transfer_mnist"
    tests = [t for t in graded[stem]["tests"] if t["extra_data"]["exercise"] == exercise]
    assert tests and all(t["score"] == 0 for t in tests), tests
    assert all(len(t["output"]) > 30 for t in tests), tests

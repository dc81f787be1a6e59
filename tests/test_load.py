"""grader/load.py: whatever a student hands in becomes notebooks or problems with a reason,
never an exception."""
import json
import os

import nbformat
import pytest

from grader import load
from grader.load import load_submission, read_notebook


def notebook_json(cells=("x = 1",), **metadata) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata=metadata)
    return nbformat.writes(nb)


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problem_of(path):
    loaded = read_notebook(path)
    assert loaded.notebook is None, f"{path.name} loaded as a notebook"
    assert loaded.problem.startswith(path.name), loaded.problem
    return loaded.problem


# ---------------------------------------------------------------- one file

def test_a_good_notebook_loads(tmp_path):
    loaded = read_notebook(write(tmp_path / "good.ipynb", notebook_json(["import numpy as np", "y = 2"])))
    assert loaded.problem is None
    assert [c.source for c in loaded.notebook.cells] == ["import numpy as np", "y = 2"]


def test_not_json(tmp_path):
    assert "not a notebook" in problem_of(write(tmp_path / "a.ipynb", "def leaky_relu(z):\n    pass\n"))


@pytest.mark.parametrize("content", ["", "  \n\t\n"], ids=["zero bytes", "whitespace"])
def test_empty_file(tmp_path, content):
    assert problem_of(write(tmp_path / "a.ipynb", content)) == "a.ipynb is empty"


def test_binary_garbage(tmp_path):
    assert "not a notebook" in problem_of(write(tmp_path / "a.ipynb", b"\xff\xfe" + os.urandom(4096)))


@pytest.mark.parametrize("content", ['{"a": 1}', "[1, 2]", '"text"', '{"nbformat": "4"}'])
def test_json_that_is_not_a_notebook(tmp_path, content):
    problem = problem_of(write(tmp_path / "a.ipynb", content))
    assert "not a Jupyter notebook" in problem and "nbformat" in problem


def test_deeply_nested_json(tmp_path):
    assert "not a notebook" in problem_of(write(tmp_path / "a.ipynb", "[" * 100_000 + "]" * 100_000))


def test_a_notebook_that_fails_validation(tmp_path):
    problem = problem_of(write(tmp_path / "a.ipynb", json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]})))
    assert "not a valid notebook" in problem


def test_a_notebook_with_no_cells(tmp_path):
    assert problem_of(write(tmp_path / "a.ipynb", notebook_json(cells=()))) == "a.ipynb has no cells"


def test_an_r_notebook(tmp_path):
    content = notebook_json(kernelspec={"name": "ir", "display_name": "R", "language": "R"})
    problem = problem_of(write(tmp_path / "a.ipynb", content))
    assert "R notebook" in problem and "Python" in problem


def test_language_info_alone_also_tells_the_language(tmp_path):
    content = notebook_json(language_info={"name": "julia"})
    assert "julia notebook" in problem_of(write(tmp_path / "a.ipynb", content))


def test_an_unreadable_file(tmp_path):
    path = write(tmp_path / "a.ipynb", notebook_json())
    path.chmod(0)
    try:
        if os.geteuid() == 0 and read_notebook(path).notebook is not None:
            pytest.skip("running as root: chmod 000 does not stop reads")
        assert "cannot be read" in problem_of(path)
    finally:
        path.chmod(0o644)


def test_a_folder_named_like_a_notebook_cannot_be_read(tmp_path):
    (tmp_path / "a.ipynb").mkdir()
    assert "cannot be read" in problem_of(tmp_path / "a.ipynb")


def test_an_oversized_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "MAX_NOTEBOOK_BYTES", 2 * 2**20)
    path = write(tmp_path / "a.ipynb", notebook_json(["x = '" + "a" * 3 * 2**20 + "'"]))
    assert problem_of(path) == "a.ipynb is 3 MB, over the 2 MB limit"


def test_an_nbformat_3_notebook_is_converted(tmp_path):
    v3 = {"metadata": {}, "nbformat": 3, "nbformat_minor": 0,
          "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "language": "python",
                                     "outputs": [], "metadata": {}}], "metadata": {}}]}
    loaded = read_notebook(write(tmp_path / "old.ipynb", json.dumps(v3)))
    assert loaded.problem is None
    assert loaded.notebook.nbformat == 4
    assert [(c.cell_type, c.source) for c in loaded.notebook.cells] == [("code", "x = 1")]


# ---------------------------------------------------------------- a submission

def test_a_file_submission_is_named_by_its_stem(tmp_path):
    submission = load_submission(write(tmp_path / "alice_01.ipynb", notebook_json()))
    assert submission.name == "alice_01"
    assert [nb.path.name for nb in submission.notebooks] == ["alice_01.ipynb"]
    assert submission.problems == []


def test_a_bad_file_submission_gets_its_problem(tmp_path):
    submission = load_submission(write(tmp_path / "bob.ipynb", ""))
    assert submission.name == "bob"
    assert submission.problems == ["bob.ipynb is empty"]


def test_a_folder_submission_is_named_by_the_folder(tmp_path):
    folder = tmp_path / "carol.smith"
    write(folder / "02_batch_norm.ipynb", notebook_json())
    write(folder / "01_leaky_relu.ipynb", notebook_json())
    write(folder / "extra" / "03_gradient_clipping.ipynb", notebook_json())
    write(folder / "notes.txt", "not a notebook, not looked at")
    submission = load_submission(folder)
    assert submission.name == "carol.smith"
    assert [nb.path.relative_to(folder).as_posix() for nb in submission.notebooks] == [
        "01_leaky_relu.ipynb", "02_batch_norm.ipynb", "extra/03_gradient_clipping.ipynb"]
    assert submission.problems == []


def test_a_folder_without_notebooks(tmp_path):
    folder = tmp_path / "dave"
    write(folder / "answers.py", "def leaky_relu(z): pass")
    submission = load_submission(folder)
    assert submission.notebooks == []
    assert len(submission.problems) == 1 and "no notebooks" in submission.problems[0]


def test_checkpoints_are_ignored(tmp_path):
    folder = tmp_path / "erin"
    write(folder / "01_leaky_relu.ipynb", notebook_json())
    write(folder / ".ipynb_checkpoints" / "01_leaky_relu-checkpoint.ipynb", "not even JSON")
    submission = load_submission(folder)
    assert [nb.path.name for nb in submission.notebooks] == ["01_leaky_relu.ipynb"]
    assert submission.problems == []


def test_only_checkpoints_means_no_notebooks(tmp_path):
    folder = tmp_path / "erin"
    write(folder / ".ipynb_checkpoints" / "01_leaky_relu-checkpoint.ipynb", notebook_json())
    assert "no notebooks" in load_submission(folder).problems[0]


def test_a_link_to_outside_the_submission_is_ignored(tmp_path):
    secret = write(tmp_path / "elsewhere" / "other_student.ipynb", notebook_json())
    folder = tmp_path / "frank"
    write(folder / "01_leaky_relu.ipynb", notebook_json())
    (folder / "02_batch_norm.ipynb").symlink_to(secret)
    submission = load_submission(folder)
    assert [nb.path.name for nb in submission.notebooks] == ["01_leaky_relu.ipynb"]
    assert len(submission.problems) == 1
    assert "02_batch_norm.ipynb" in submission.problems[0] and "outside" in submission.problems[0]


def test_a_link_inside_the_submission_is_followed(tmp_path):
    folder = tmp_path / "gina"
    write(folder / "work" / "01_leaky_relu.ipynb", notebook_json())
    (folder / "01_leaky_relu.ipynb").symlink_to(folder / "work" / "01_leaky_relu.ipynb")
    submission = load_submission(folder)
    assert [nb.notebook is not None for nb in submission.notebooks] == [True, True]
    assert submission.problems == []


def test_a_broken_link_submission(tmp_path):
    link = tmp_path / "hank.ipynb"
    link.symlink_to(tmp_path / "gone.ipynb")
    submission = load_submission(link)
    assert submission.notebooks == []
    assert submission.problems == ["hank.ipynb is a broken link"]


def test_a_broken_link_submission_is_named_by_its_stem(tmp_path):
    link = tmp_path / "hank.ipynb"
    link.symlink_to(tmp_path / "gone.ipynb")
    assert load_submission(link).name == "hank"

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


# ---------------------------------------------------------------- malformed metadata, hostile names

def _template_json():
    from grader import notebooks
    return json.loads((notebooks.assignments_dir() / "01_leaky_relu.ipynb").read_text())


MALFORMED = "the grading metadata of"
EXERCISE_CELL = 'the first code cell under the heading "Exercise `leaky_relu`" is malformed'  # no longer a solution
SETUP_CELL = "the first code cell under the heading \"Chapter 11 · Notebook 1"


@pytest.mark.parametrize("index,change,reason", [
    (7, lambda c: c["metadata"]["nbgrader"].update(grade_id=["leaky_relu"]),
     f"{MALFORMED} {EXERCISE_CELL} (its exercise name is a list)"),
    (7, lambda c: c["metadata"]["nbgrader"].update(grade_id={"id": 1}),
     f"{MALFORMED} {EXERCISE_CELL} (its exercise name is a dict)"),
    (7, lambda c: c["metadata"]["nbgrader"].update(grade_id=7), f"{MALFORMED} {EXERCISE_CELL} (its exercise name is a number)"),
    (7, lambda c: c["metadata"].update(nbgrader="solution"),
     f"{MALFORMED} {EXERCISE_CELL} (it is a string, not a dict)"),
    (7, lambda c: c["metadata"].update(nbgrader=["solution"]),
     f"{MALFORMED} {EXERCISE_CELL} (it is a list, not a dict)"),
    (7, lambda c: c["metadata"]["nbgrader"].update(solution="true"),
     f"{MALFORMED} {EXERCISE_CELL} (its answer-cell flag is a string)"),
    (1, lambda c: c["metadata"]["nbgrader"].update(locked="true"), f"{MALFORMED} {SETUP_CELL}"),
    (1, lambda c: c["metadata"]["nbgrader"].update(grade_id=None), f"{MALFORMED} {SETUP_CELL}"),
    (7, lambda c: c.update(metadata=["nbgrader"]), "the metadata of the first code cell under the heading \"Exercise "
     "`leaky_relu`\" is malformed (it is a list, not a dict)"),
    (7, lambda c: c.update(metadata="x"), "is malformed (it is a string, not a dict)"),
    (2, lambda c: c["metadata"].update(tags="parameters"), "tags of the second code cell under the heading \"Chapter 11 · "),
    (2, lambda c: c["metadata"].update(tags=[["parameters"]]), "are malformed (a list with non-string items"),
])
def test_malformed_nbgrader_metadata_is_a_reason_and_ignored(tmp_path, index, change, reason):
    from grader import notebooks
    from grader.config import GradeConfig
    from grader.prepare import prepare

    data = _template_json()
    change(data["cells"][index])
    submission = load_submission(write(tmp_path / "hw.ipynb", json.dumps(data)))
    assert submission.notebooks[0].notebook is not None, submission.problems
    assert len(submission.problems) == 1, submission.problems
    assert submission.problems[0].startswith("hw.ipynb: the "), submission.problems
    assert reason in submission.problems[0], submission.problems
    assert submission.problems[0].endswith("ignored")
    prepared = prepare(submission.notebooks[0].notebook, GradeConfig(out=tmp_path))  # no exception
    found = notebooks.solution_cells(prepared.nb)
    assert list(found) == ([] if index == 7 else ["leaky_relu"])
    assert prepared.injected_at == 3  # after the parameters cell


def test_the_metadata_readers_never_fail_on_any_shape():
    from grader import notebooks

    for metadata in ({}, [], "x", 3, None, {"nbgrader": "x"}, {"nbgrader": [1]}, {"tags": "p"}, {"tags": [1, "p"]},
                     {"nbgrader": {"grade_id": ["a"], "solution": "yes", "locked": 1}}):
        cell = {"cell_type": "code", "metadata": metadata, "source": ""}
        assert notebooks.grade_id(cell) is None and not notebooks.is_solution(cell)
        assert not notebooks.is_locked(cell)
        assert notebooks.tags(cell) in ([], ["p"])


def test_unpaired_surrogate_escapes_are_replaced(tmp_path):
    data = _template_json()
    data["cells"][7]["source"] = "x = '\ud800'"
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(data))  # ensure_ascii: the file holds the escape \ud800
    submission = load_submission(path)
    assert submission.notebooks[0].notebook.cells[7].source == "x = '\ufffd'"
    assert submission.problems == ["s.ipynb: it holds 1 invalid character(s) (unpaired surrogate escapes); "
                                   "each was replaced by \ufffd"]
    nbformat.writes(submission.notebooks[0].notebook)  # can be written back as UTF-8


def test_a_pipe_named_like_a_notebook_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "a.ipynb")
    assert problem_of(tmp_path / "a.ipynb") == "a.ipynb cannot be read (not a regular file)"


def test_a_link_loop_in_a_folder_is_ignored(tmp_path):
    folder = tmp_path / "ivy"
    write(folder / "01_leaky_relu.ipynb", notebook_json())
    (folder / "loop.ipynb").symlink_to(folder / "loop.ipynb")
    submission = load_submission(folder)
    assert [nb.path.name for nb in submission.notebooks] == ["01_leaky_relu.ipynb"]
    assert submission.problems == ["loop.ipynb is a link that cannot be followed; ignored"]


@pytest.mark.parametrize("name,expected", [
    ("...ipynb", "__"), (".ipynb", "_ipynb"), (".hidden.ipynb", "_hidden"), ("a b.ipynb", "a b"),
    ("ünï 名.ipynb", "ünï 名"), ("tab\there.ipynb", "tab_here"), ("x" * 240 + ".ipynb", "x" * 100),
    ("名" * 60 + ".ipynb", "名" * 33),  # 100 bytes of UTF-8 at most, never half a character
])
def test_submission_names_are_one_safe_folder_name(tmp_path, name, expected):
    path = write(tmp_path / name, "")
    assert load.submission_name(path) == expected


def test_dot_and_dot_dot_are_named_by_the_folders_they_mean(tmp_path, monkeypatch):
    (tmp_path / "course" / "alice").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "course" / "alice")
    assert load.submission_name(load.Path(".")) == "alice"
    assert load.submission_name(load.Path("..")) == "course"
    assert load.submission_name(load.Path("/")) == "submission"


# ---------------------------------------------------------------- packed, to grade on another machine

def _seen(submission) -> tuple:
    """All that grading reads of a Submission: its name, problems, and each notebook's file name,
    problem, notes and cells."""
    return (submission.name, submission.path.name, submission.problems,
            [(nb.path.name, nb.path.stem, nb.problem, nb.notes,
              nb.notebook.cells if nb.notebook is not None else None) for nb in submission.notebooks])


def test_a_packed_submission_unpacks_to_what_load_submission_reads(tmp_path):
    """grader --cluster sends bytes (load.pack_submission) and the worker parses them: every case
    gives the same Submission as reading the files where they are."""
    import pickle
    secret = write(tmp_path / "elsewhere" / "other_student.ipynb", notebook_json())
    folder = tmp_path / "ivy"
    write(folder / "01_leaky_relu.ipynb", notebook_json(["x = 1"]))
    write(folder / "extra" / "02_batch_norm.ipynb",
          notebook_json(["y = 'SURROGATE'"]).replace("SURROGATE", "\\ud800"))  # repaired, with a note
    write(folder / "03_gradient_clipping.ipynb", "")
    write(folder / "04_layer_reuse.ipynb", "not json")
    (folder / "05_learning_rate_schedule.ipynb").symlink_to(secret)
    os.mkfifo(folder / "06_regularization.ipynb")
    link = tmp_path / "jack.ipynb"
    link.symlink_to(tmp_path / "gone.ipynb")
    empty = tmp_path / "kim"
    empty.mkdir()
    for path in (folder, folder / "01_leaky_relu.ipynb", link, empty):
        packed = pickle.loads(pickle.dumps(load.pack_submission(path)))  # as Dask sends it
        assert _seen(load.unpack_submission(packed)) == _seen(load_submission(path)), path
    assert len(load_submission(folder).problems) == 5  # the cases above are all there

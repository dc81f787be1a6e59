"""grader/generate.py and the committed notebooks: reference/ holds the solutions, assignments/
the student templates made from them, and the two must stay in step."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.generate import checksum, generate, strip_solution, template_of

STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]

# CONTRACT.md section 2: notebook -> exercise id -> the function the student writes.
CONTRACT = {
    "01_leaky_relu": {"leaky_relu": "leaky_relu(z, alpha=0.01, name=None)"},
    "02_batch_norm": {"bn_update_ops": "bn_training_op(optimizer, loss)"},
    "03_gradient_clipping": {"clipped_apply_gradients": "clipped_training_op(optimizer, loss, threshold=1.0)"},
    "04_layer_reuse": {
        "reuse_layers": 'restore_reused_layers(sess, checkpoint_path, scope="hidden[123]")',
        "freeze_layers": 'frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs")',
    },
    "05_learning_rate_schedule": {"lr_schedule": "scheduled_training_op(loss, initial_learning_rate=0.1, "
                                                 "decay_steps=10000, decay_rate=0.1, momentum=0.9)"},
    "06_regularization": {
        "regularization_losses": "regularized_loss(base_loss)",
        "dropout": "dropout_layer(inputs, rate, training)",
        "max_norm": 'max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm")',
    },
    "07_exercise_8_deep_mnist": {"deep_mnist": "dnn(inputs, n_hidden_layers=5, n_neurons=100, name=None, "
                                               "activation=tf.nn.elu, initializer=he_init)"},
    "08_exercise_9_transfer": {"transfer_mnist": "sample_n_instances_per_class(X, y, n=100)"},
}
# Exercises 8 and 9 also have training cells (grade_id "<exercise>.<part>"): the student's, stubbed.
TRAINING_CELLS = {"07_exercise_8_deep_mnist": ["deep_mnist.batch_norm", "deep_mnist.dropout", "deep_mnist.plain"],
                  "08_exercise_9_transfer": ["transfer_mnist.train"]}

REFERENCES = sorted(notebooks.reference_dir().glob("*.ipynb"))


@pytest.fixture(params=REFERENCES, ids=lambda p: p.stem)
def pair(request):
    """(name, reference, committed template) of one notebook."""
    path = request.param
    return path.stem, notebooks.read(path), notebooks.read(notebooks.assignments_dir() / path.name)


def test_the_course_has_the_contracts_notebooks():
    assert [p.stem for p in REFERENCES] == sorted(CONTRACT)
    assert sorted(p.stem for p in notebooks.assignments_dir().glob("*.ipynb")) == sorted(CONTRACT)


# ---------------------------------------------------------------- strip_solution

def test_strip_keeps_def_and_docstring_and_stubs_the_solution():
    source = ('def f(x):\n'
              '    """Add one."""\n'
              '    ### BEGIN SOLUTION\n'
              '    y = x + 1\n'
              '    return y\n'
              '    ### END SOLUTION\n')
    assert strip_solution(source) == ('def f(x):\n'
                                      '    """Add one."""\n'
                                      '    # YOUR CODE HERE\n'
                                      '    raise NotImplementedError()')


def test_strip_puts_the_stub_at_the_markers_indentation_and_keeps_what_follows():
    source = ('def g(sess):\n'
              '    with sess.as_default():\n'
              '        ### BEGIN SOLUTION\n'
              '        secret = 42\n'
              '        ### END SOLUTION\n'
              '    return None\n')
    assert strip_solution(source).splitlines() == [
        "def g(sess):",
        "    with sess.as_default():",
        "        # YOUR CODE HERE",
        "        raise NotImplementedError()",
        "    return None",
    ]


def test_strip_handles_two_blocks_and_top_level_markers():
    source = ("### BEGIN SOLUTION\nimport secret\n### END SOLUTION\n"
              "x = 1\n"
              "def h():\n  ### BEGIN SOLUTION\n  return secret.answer\n  ### END SOLUTION\n")
    assert strip_solution(source).splitlines() == [
        "# YOUR CODE HERE", "raise NotImplementedError()",
        "x = 1",
        "def h():", "  # YOUR CODE HERE", "  raise NotImplementedError()",
    ]


def test_strip_leaves_a_cell_without_markers_alone():
    assert strip_solution("a = 1\n\nb = 2") == "a = 1\n\nb = 2"


def test_strip_refuses_an_unclosed_begin():
    with pytest.raises(ValueError, match="BEGIN SOLUTION without its ### END SOLUTION"):
        strip_solution("def f():\n    ### BEGIN SOLUTION\n    return 1\n")


# ---------------------------------------------------------------- template_of on a small notebook

def small_reference():
    locked = nbformat.v4.new_code_cell("print('hi')", execution_count=3,
                                       outputs=[nbformat.v4.new_output("stream", text="hi\n")])
    locked.metadata["nbgrader"] = {"grade": False, "grade_id": "c0", "locked": True,
                                   "schema_version": 3, "solution": False, "task": False}
    solution = nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                                         execution_count=4)
    solution.metadata["nbgrader"] = {"grade": False, "grade_id": "f", "locked": False,
                                     "schema_version": 3, "solution": True, "task": False}
    free = nbformat.v4.new_code_cell("y = 2", execution_count=5)
    return nbformat.v4.new_notebook(cells=[locked, solution, free])


def test_template_of_clears_outputs_stubs_solutions_and_checksums():
    reference = small_reference()
    template = template_of(reference)
    locked, solution, free = template.cells
    assert [c.outputs for c in template.cells] == [[], [], []]
    assert [c.execution_count for c in template.cells] == [None, None, None]
    assert solution.source == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert locked.metadata.nbgrader.checksum == checksum(locked)
    assert re.fullmatch(r"[0-9a-f]{32}", locked.metadata.nbgrader.checksum)
    assert "nbgrader" not in free.metadata
    # the reference itself is untouched
    assert reference.cells[0].execution_count == 3 and reference.cells[0].outputs
    assert "### BEGIN SOLUTION" in reference.cells[1].source


def test_checksum_changes_with_the_source_and_the_type():
    cell = nbformat.v4.new_code_cell("x = 1")
    edited = nbformat.v4.new_code_cell("x = 2")
    as_markdown = nbformat.v4.new_markdown_cell("x = 1")
    assert len({checksum(cell), checksum(edited), checksum(as_markdown)}) == 3


# ---------------------------------------------------------------- generate

def test_generate_writes_the_committed_templates(tmp_path):
    out = tmp_path / "a"
    names = [p.name for p in REFERENCES]
    assert generate(notebooks.reference_dir(), out) == names + [f"zh/{name}" for name in names]
    for name in names + [f"zh/{name}" for name in names]:
        committed = (notebooks.assignments_dir() / name).read_text(encoding="utf-8")
        assert (out / name).read_text(encoding="utf-8") == committed, name
    assert generate(notebooks.reference_dir(), out, check=True) == []


def test_the_chinese_templates_have_the_same_cells_and_code_with_the_markdown_translated():
    for path in REFERENCES:
        en = notebooks.read(notebooks.assignments_dir() / path.name)
        zh = notebooks.read(notebooks.templates_dir("zh") / path.name)
        assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells], path.name
        assert [notebooks.grade_id(c) for c in zh.cells] == [notebooks.grade_id(c) for c in en.cells]
        for a, b in zip(en.cells, zh.cells):
            if a.cell_type == "code":  # a submission grades the same from either language
                assert (b.source, b.metadata) == (a.source, a.metadata), (path.name, notebooks.grade_id(a))
            else:
                assert b.source != a.source and re.search(r"[\u4e00-\u9fff]", b.source), (path.name, a.source[:60])
                assert b.metadata["nbgrader"]["checksum"] == checksum(b)


def test_generate_check_reports_a_stale_template_and_leaves_it(tmp_path):
    out = tmp_path / "a"
    generate(notebooks.reference_dir(), out)
    stale = out / "03_gradient_clipping.ipynb"
    edited = stale.read_text(encoding="utf-8").replace("# YOUR CODE HERE", "# MY CODE HERE")
    stale.write_text(edited, encoding="utf-8")
    (out / "01_leaky_relu.ipynb").unlink()

    assert generate(notebooks.reference_dir(), out, check=True) == ["01_leaky_relu.ipynb", "03_gradient_clipping.ipynb"]
    assert stale.read_text(encoding="utf-8") == edited, "check must not rewrite"
    assert not (out / "01_leaky_relu.ipynb").exists(), "check must not write"

    assert generate(notebooks.reference_dir(), out) == ["01_leaky_relu.ipynb", "03_gradient_clipping.ipynb"]
    assert generate(notebooks.reference_dir(), out, check=True) == []


def test_cli_generate_check_says_assignments_are_up_to_date(tmp_path):
    grader = Path(sys.executable).parent / "grader"
    result = subprocess.run([str(grader), "generate", "--check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"checked {len(REFERENCES)} templates"


# ---------------------------------------------------------------- the committed templates

def solution_lines(nb):
    """Lines strictly between the markers, stripped, non-empty, of the exercises' function cells (a
    training cell's solution is the book's boilerplate, which the text and other notebooks show)."""
    lines, inside = [], False
    for cell in nb.cells:
        if "." in (notebooks.grade_id(cell) or ""):
            continue
        for line in cell.source.splitlines():
            if line.strip() in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = line.strip() == "### BEGIN SOLUTION"
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def test_references_have_solutions_to_hide():
    counts = {p.stem: len(solution_lines(notebooks.read(p))) for p in REFERENCES}
    assert all(n > 0 for n in counts.values()), counts


@pytest.mark.parametrize("template_path", sorted(notebooks.assignments_dir().glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_solution_line_is_in_any_template(template_path):
    template = notebooks.read(template_path)
    text = "\n".join(cell.source for cell in template.cells)
    leaked = [(ref.stem, line) for ref in REFERENCES for line in solution_lines(notebooks.read(ref))
              if line in text]
    assert leaked == []
    assert "BEGIN SOLUTION" not in template_path.read_text(encoding="utf-8")
    for cell in template.cells:  # a training cell keeps its setup lines, then the stub
        if "." in (notebooks.grade_id(cell) or ""):
            assert [line.strip() for line in cell.source.splitlines()[-2:]] == STUB, cell.source


def test_template_keeps_cells_and_nbgrader_metadata(pair):
    _, reference, template = pair
    assert [c.cell_type for c in template.cells] == [c.cell_type for c in reference.cells]
    assert template.metadata == reference.metadata
    for index, (ref_cell, cell) in enumerate(zip(reference.cells, template.cells)):
        kept = {k: v for k, v in notebooks.nbgrader(cell).items() if k != "checksum"}
        assert kept == notebooks.nbgrader(ref_cell), f"cell {index}"
        assert kept["schema_version"] == 3, f"cell {index}"
        if not notebooks.is_solution(ref_cell):
            assert cell.source == ref_cell.source, f"cell {index} is not a solution and must not change"


def test_locked_cells_carry_their_checksum(pair):
    _, _, template = pair
    locked = [cell for cell in template.cells if notebooks.is_locked(cell)]
    assert locked, "a template without locked cells"
    for cell in locked:
        assert notebooks.nbgrader(cell)["checksum"] == checksum(cell), cell.source[:60]


def test_code_cells_have_no_outputs(pair):
    _, _, template = pair
    for cell in template.cells:
        if cell.cell_type == "code":
            assert (cell.outputs, cell.execution_count) == ([], None), cell.source[:60]


def test_solution_cells_have_the_contracts_grade_ids(pair):
    stem, reference, template = pair
    expected = sorted(CONTRACT[stem]) + TRAINING_CELLS.get(stem, [])
    assert sorted(notebooks.solution_cells(template)) == expected
    assert notebooks.solution_cells(template) == notebooks.solution_cells(reference)
    assert all(len(cells) == 1 for cells in notebooks.solution_cells(template).values())


def _signature(source: str) -> tuple[str, str]:
    fn = next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef))
    return fn.name, ast.unparse(fn.args)


@pytest.mark.parametrize("stem,exercise", [(s, e) for s, exercises in CONTRACT.items() for e in exercises])
def test_stub_has_the_contracts_signature_and_raises(stem, exercise):
    template = notebooks.read(notebooks.assignments_dir() / f"{stem}.ipynb")
    [index] = notebooks.solution_cells(template)[exercise]
    source = template.cells[index].source
    assert _signature(source) == _signature(f"def {CONTRACT[stem][exercise]}: pass")
    assert [line.strip() for line in source.splitlines()[-2:]] == STUB
    assert notebooks.nbgrader(template.cells[index])["locked"] is False

    from types import SimpleNamespace
    namespace = {"tf": SimpleNamespace(nn=SimpleNamespace(elu=None)), "he_init": None}  # exercise 8's defaults
    exec(source, namespace)  # noqa: S102 - our own template
    name, _ = _signature(source)
    arity = len(ast.parse(source).body[0].args.args)
    with pytest.raises(NotImplementedError):
        namespace[name](*[None] * arity)


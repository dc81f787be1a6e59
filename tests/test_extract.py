"""grader/extract.py: from a notebook's code cells, the program the builder runs:
definitions kept, training runs dropped."""
import ast

import pytest

from grader import notebooks
from grader.extract import program

# CONTRACT.md section 2: notebook -> the functions its students write.
FUNCTIONS = {
    "01_leaky_relu": ["leaky_relu"],
    "02_batch_norm": ["bn_training_op"],
    "03_gradient_clipping": ["clipped_training_op"],
    "04_layer_reuse": ["restore_reused_layers", "frozen_training_op"],
    "05_learning_rate_schedule": ["scheduled_training_op"],
    "06_regularization": ["regularized_loss", "dropout_layer", "max_norm_regularizer"],
    "07_exercise_8_deep_mnist": ["dnn"],
    "08_exercise_9_transfer": ["sample_n_instances_per_class"],
}
REFERENCES = sorted(notebooks.reference_dir().glob("*.ipynb"))

SETUP = "import numpy as np\nimport tensorflow.compat.v1 as tf\nfrom functools import partial\n"


def kept(*cells: str) -> list[str]:
    return program(list(cells))


# ---------------------------------------------------------------- what stays

def test_keeps_imports_defs_classes_and_literals():
    cell = ("import numpy as np\n"
            "import tensorflow.compat.v1 as tf\n"
            "from functools import partial\n"
            "def f(x):\n    return x\n"
            "class Model:\n    pass\n"
            "n_hidden1 = 300\n"
            "n_inputs = 28 * 28\n"
            "scopes = ['hidden1', 'hidden2']\n")
    assert kept(cell) == [
        "import numpy as np",
        "import tensorflow.compat.v1 as tf",
        "from functools import partial",
        "def f(x):\n    return x",
        "class Model:\n    pass",
        "n_hidden1 = 300",
        "n_inputs = 28 * 28",
        "scopes = ['hidden1', 'hidden2']",
    ]


def test_keeps_assignments_built_from_imported_modules():
    cell = ("he_init = tf.variance_scaling_initializer()\n"
            "my_dense = partial(tf.layers.dense, kernel_initializer=he_init)\n"
            "zeros = np.zeros((3, n))\n")
    assert kept(SETUP, "n = 4", cell)[-3:] == [
        "he_init = tf.variance_scaling_initializer()",
        "my_dense = partial(tf.layers.dense, kernel_initializer=he_init)",
        "zeros = np.zeros((3, n))",
    ]


def test_keeps_lambdas_assigned_to_names():
    cell = ("leaky_relu = lambda z, alpha=0.01, name=None: tf.maximum(alpha * z, z, name=name)\n"
            "double = lambda x: x * 2\n")
    assert kept(SETUP, cell)[-2:] == [
        "leaky_relu = lambda z, alpha=0.01, name=None: tf.maximum(alpha * z, z, name=name)",
        "double = lambda x: x * 2",
    ]


def test_keeps_a_lambda_that_calls_a_notebook_function():
    cell = "def _leaky(z, alpha):\n    return tf.maximum(alpha * z, z)\n" \
           "leaky_relu = lambda z, alpha=0.01, name=None: tf.identity(_leaky(z, alpha), name=name)\n"
    assert kept(SETUP, cell)[-1].startswith("leaky_relu = lambda")


# ---------------------------------------------------------------- what goes

def test_drops_bare_calls():
    cell = "reset_graph()\nsess.run(x)\ntf.disable_v2_behavior()\nprint('hello')\n"
    assert kept(SETUP, "def reset_graph():\n    pass", cell) == kept(SETUP, "def reset_graph():\n    pass")


def test_drops_assignments_calling_notebook_functions():
    setup = SETUP + "from grader.data import load_mnist\ndata = 'sample'\n" \
                    "def my_dense(x, n):\n    return tf.layers.dense(x, n)\n"
    cell = ("X = tf.placeholder(tf.float32, shape=(None, 784), name='X')\n"
            "hidden1 = my_dense(X, 300)\n"
            "mnist = load_mnist(data)\n"
            "X_train, y_train = mnist.train\n"   # mnist was never defined in the program
            "hidden2 = tf.layers.dense(hidden1, 100)\n")  # nor was hidden1
    assert kept(setup, cell) == kept(setup) + ["X = tf.placeholder(tf.float32, shape=(None, 784), name='X')"]


def test_drops_with_blocks_loops_and_other_compound_statements():
    cell = ("with tf.Session() as sess:\n    kept_inside = 1\n"
            "for epoch in range(10):\n    pass\n"
            "while False:\n    pass\n"
            "if True:\n    flag = 1\n"
            "try:\n    t = 1\nexcept Exception:\n    pass\n"
            "n_epochs = 40\n")
    assert kept(cell) == ["n_epochs = 40"]


def test_names_from_dropped_statements_stay_unknown():
    cell = ("with tf.Session() as sess:\n    pass\n"
            "saver_path = sess.graph\n"        # sess is not defined in the program
            "model = build_model()\n"          # build_model is nowhere
            "size = len(model)\n")
    assert kept(SETUP, cell) == kept(SETUP)


# ---------------------------------------------------------------- notebooks as students write them

def test_survives_ipython_magics():
    cell = "%matplotlib inline\n!ls -l\nn_hidden1 = 300\ndef f():\n    return 1\n"
    assert kept(cell) == ["n_hidden1 = 300", "def f():\n    return 1"]


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n1", "%%capture out", "\n%%prun"])
def test_a_cell_magic_whose_body_is_python_keeps_its_definitions(magic):
    cell = f"{magic}\ndef leaky_relu(z, alpha=0.01, name=None):\n    return tf.maximum(alpha * z, z, name=name)\n"
    assert [s.split("(")[0] for s in kept(cell)] == ["def leaky_relu"]


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile helper.py", "%%html"])
def test_a_cell_in_another_language_contributes_nothing(magic):
    assert kept(f"{magic}\ndef f():\n    return 1\n") == []


def test_a_cell_with_a_syntax_error_contributes_nothing():
    broken = "a = 1\ndef oops(:\n    pass\n"
    assert kept("import numpy as np", broken, "b = 2\ndef later():\n    return np.pi") == [
        "import numpy as np", "b = 2", "def later():\n    return np.pi"]


def test_statements_keep_notebook_order_across_cells():
    assert kept("x = 1", "def f():\n    return x", "y = x + 1") == ["x = 1", "def f():\n    return x", "y = x + 1"]


def test_names_bound_inside_lambdas_and_comprehensions_are_not_unknown():
    cell = "evens = [w for w in range(10) if w % 2 == 0]\npick = lambda v, k=2: [u * k for u in v]\n"
    assert kept(cell) == ["evens = [w for w in range(10) if w % 2 == 0]", "pick = lambda v, k=2: [u * k for u in v]"]


# ---------------------------------------------------------------- the reference notebooks

@pytest.fixture(params=REFERENCES, ids=lambda p: p.stem)
def reference_program(request):
    path = request.param
    return path.stem, program(notebooks.code_sources(notebooks.read(path)))


def test_reference_program_defines_the_exercise_without_training(reference_program):
    stem, statements = reference_program
    defined = {node.name for s in statements for node in ast.parse(s).body if isinstance(node, ast.FunctionDef)}
    assert set(FUNCTIONS[stem]) <= defined
    # A helper the student's training cells define (exercise 8's fit_with_early_stopping) is kept, never
    # called: only what runs at the top level counts.
    text = "\n".join(s for s in statements if not isinstance(ast.parse(s).body[0], ast.FunctionDef)
                     or ast.parse(s).body[0].name in FUNCTIONS[stem])
    for training in ("sess.run", ".fit(", "for epoch", "init.run()", "load_mnist(", "saver.save", "with tf.Session"):
        assert training not in text, f"{training!r} kept in the {stem} program"
    assert "import tensorflow.compat.v1 as tf" in statements


def test_reference_programs_run_and_define_the_functions():
    """As the builder does: statement by statement in a graph-mode TensorFlow."""
    from grader import graphs as harness  # sets TF_USE_LEGACY_KERAS, imports TensorFlow, graph mode

    tf = harness.tf
    for path in REFERENCES:
        statements = program(notebooks.code_sources(notebooks.read(path)))
        namespace = {"__name__": "__main__"}
        with harness.fresh_graph():
            for statement in statements:
                try:
                    exec(compile(statement, path.name, "exec"), namespace)  # noqa: S102 - our own notebook
                except (ValueError, OSError) as error:  # a Saver with no variables yet; notebook 8's import of
                    # the exercise-8 model, which only the kernel's folder holds (the builder skips both)
                    assert "No variables to save" in str(error) or "exercise_8_model" in str(error), statement
            for name in FUNCTIONS[path.stem]:
                assert callable(namespace.get(name)), f"{path.stem}: {name} not defined"

        if path.stem == "01_leaky_relu":
            with harness.fresh_graph() as graph, tf.Session(graph=graph) as sess:
                out = namespace["leaky_relu"](tf.constant([-2.0, 0.0, 3.0]), alpha=0.1, name="act")
                assert out.op.name == "act"
                assert sess.run(out).tolist() == pytest.approx([-0.2, 0.0, 3.0])

"""The judge believes nothing a student process produces: forged builder frames, patched grader
modules, and graphs that read files, call Python, loop, blow up memory or time, smuggle in
constants, rewire the grader's nodes or try to carry data out in an error message all score
zero, each with a reason; the judge keeps serving everyone else. All programs are built by one
real sandboxed builder and measured by the real judge, as in a grading run."""
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest

from grader.builds import run_builds
from grader.checks import judge_exercise, measure, tasks_for
from grader.config import GradeConfig
from grader.exercises import EXERCISES
from grader.exercises.leaky_relu.build import CASES, case_input
from grader.sandbox import Sandbox

SETUP = ["import numpy as np", "import tensorflow.compat.v1 as tf"]
TIMEOUT = 20


def _frame(header: str) -> str:
    """Source of a module-level statement (kept by extract.program) that writes a forged frame
    to the builder's pipe (its fd is the builder's second argument)."""
    return (f"import os, sys, json, struct\n"
            f"_h = json.dumps({header}).encode()\n"
            f"_forged = os.write(int(sys.argv[2]), struct.pack('>Q', len(_h)) + _h)\n")


STUB = "def leaky_relu(z, alpha=0.01, name=None):\n    raise NotImplementedError()\n"
LEAKY = {
    # The stubs, with frames forged before the real builder answers: fake values, fake accuracy.
    "stub_forges_frames": _frame(
        '{"event": "done", "task": "leaky_relu.values", "status": "ok", "info": {"accuracy": 1.0, '
        '"case0": {"output": "z:0"}}, "blobs": {}}') + _frame(
        '{"event": "done", "task": "leaky_relu.trained", "status": "ok", "info": {"accuracy": 1.0}, '
        '"blobs": {}}') + STUB,
    "stub_forges_a_huge_frame": "import os, sys, struct\n_forged = os.write(int(sys.argv[2]), "
                                "struct.pack('>Q', 2**40))\n" + STUB,
    # Always zero, and the grader's graph code patched so that the model looks perfect.
    "zero_patches_the_grader": (
        "import grader.graphs as _g\n"
        "_patched = setattr(_g, 'loss_and_accuracy', lambda logits, y: (tf.reduce_mean(logits), tf.constant(1.0)))\n"
        "_patched2 = setattr(_g, 'dense', lambda inputs, units, name, seed, activation=None: tf.zeros([1, units]))\n"
        "def leaky_relu(z, alpha=0.01, name=None):\n    return tf.zeros_like(z, name=name)\n"),
    "py_func": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                "    return tf.py_func(lambda x: np.maximum(alpha * x, x), [z], z.dtype, name=name)\n"),
    "endless_while_loop": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                           "    spin = tf.while_loop(lambda i: True, lambda i: i + 1, [tf.constant(0)])\n"
                           "    with tf.control_dependencies([spin]):\n"
                           "        return tf.maximum(alpha * z, z, name=name)\n"),
    "reads_a_file": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                     "    secret = tf.io.read_file('/etc/hostname')\n"
                     "    check = tf.Assert(tf.equal(tf.strings.length(secret), -1), [secret])\n"
                     "    with tf.control_dependencies([check]):\n"
                     "        return tf.maximum(alpha * z, z, name=name)\n"),
    "prints_to_a_file": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                         "    out = tf.print(z, output_stream='file:///tmp/ch11-leak.txt')\n"
                         "    with tf.control_dependencies([out]):\n"
                         "        return tf.maximum(alpha * z, z, name=name)\n"),
    "error_carries_the_hidden_input": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                                       "    check = tf.Assert(tf.reduce_all(z > 100.0), [z], summarize=100)\n"
                                       "    with tf.control_dependencies([check]):\n"
                                       "        return tf.maximum(alpha * z, z, name=name)\n"),
    # The size is drawn at run time: TensorFlow's graph optimizer folds a constant-shaped tf.ones and fails on
    # it before any memory is allocated.
    "memory_bomb": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                    "    n = tf.random_uniform([], 60000, 60001, dtype=tf.int32)\n"
                    "    big = tf.ones(tf.stack([n, n]), dtype=tf.float64)\n"
                    "    return tf.maximum(alpha * z, z, name=name) + tf.cast(0 * tf.reduce_sum(big), z.dtype)\n"),
    "time_bomb": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                  "    m = tf.ones(tf.stack([tf.constant(2500), tf.constant(2500)]))\n"
                  "    for _ in range(400):\n"
                  "        m = tf.matmul(m, m) / 2500.0\n"
                  "    return tf.maximum(alpha * z, z, name=name) + tf.cast(0 * tf.reduce_sum(m), z.dtype)\n"),
    "smuggled_constants": ("def leaky_relu(z, alpha=0.01, name=None):\n"
                           "    table = tf.constant(np.zeros((700, 700), dtype=np.float32))\n"
                           "    return tf.maximum(alpha * z, z, name=name) + tf.cast(0 * tf.reduce_sum(table), z.dtype)\n"),
    "correct": "def leaky_relu(z, alpha=0.01, name=None):\n    return tf.maximum(alpha * z, z, name=name)\n",
}
BN = {
    # Misses the update ops, and rewires the grader's loss so that the update ops run anyway.
    "rewires_the_grader": ("def bn_training_op(optimizer, loss):\n"
                           "    ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                           "    for op in ops:\n"
                           "        loss.op._add_control_input(op)\n"
                           "    return optimizer.minimize(loss)\n"),
    # Misses the update ops, and patches the grader's model so that its accuracy is a constant 1.
    "patches_the_model": (
        "import grader.graphs as _g\n"
        "_real = _g.loss_and_accuracy\n"
        "_patched = setattr(_g, 'loss_and_accuracy', lambda logits, y: (_real(logits, y)[0], tf.constant(1.0)))\n"
        "def bn_training_op(optimizer, loss):\n    return optimizer.minimize(loss)\n"),
}


@pytest.fixture(scope="module")
def graded(reference, judge):
    programs, tasks, owners = {}, [], {}
    for exercise, variants in (("leaky_relu", LEAKY), ("bn_update_ops", BN)):
        for name, source in variants.items():
            programs[name] = SETUP + [source]
            for task in tasks_for([exercise], {exercise: name}):
                owners[f"{name}:{task['id']}"] = (name, exercise)
                task["id"] = f"{name}:{task['id']}"
                tasks.append(task)
    config = GradeConfig(out=Path(tempfile.mkdtemp()))
    scratch = Path(tempfile.mkdtemp())
    sandbox = Sandbox(config.max_memory_mb, True, scratch)
    try:
        # The builder sees task ids with a prefix: forged frames name the plain ids and must not count.
        built = run_builds(programs, tasks, scratch, TIMEOUT, sandbox, provided=judge.provided)
        outcomes = measure(built, tasks, judge, TIMEOUT, workers=2)
    finally:
        sandbox.close()
    results = {}
    for name, exercise in set(owners.values()):
        mine = {tid.split(":", 1)[1]: o for tid, o in outcomes.items() if tid.startswith(name + ":")}
        results[name] = {r.name: r for r in judge_exercise(exercise, mine, reference)}
    return results, outcomes


def _score(results) -> float:
    return sum(r.score for r in results.values())


def _outputs(results) -> str:
    return " ".join(r.output for r in results.values())


def test_the_correct_function_beside_them_gets_full_marks(graded):
    assert _score(graded[0]["correct"]) == EXERCISES["leaky_relu"].points, _outputs(graded[0]["correct"])


@pytest.mark.parametrize("name", ["stub_forges_frames", "stub_forges_a_huge_frame"])
def test_stubs_with_forged_frames_score_zero(graded, name):
    results = graded[0][name]
    assert _score(results) == 0, _outputs(results)


def test_forged_frames_for_other_task_ids_are_ignored(graded):
    # The forged "done" frames named ids the builder was not working on: the real answer counts.
    assert "NotImplementedError" in _outputs(graded[0]["stub_forges_frames"])


def test_a_wrong_function_that_patches_the_grader_fails_its_training_check(graded):
    results = graded[0]["zero_patches_the_grader"]
    trained = next(r for r in results.values() if "trains" in r.name)
    assert trained.score == 0 and "held-out accuracy" in trained.output, trained.output
    values = next(r for r in results.values() if "unseen inputs" in r.name)
    assert values.score == 0


def test_a_patched_model_is_refused_for_the_training_check(graded):
    results = graded[0]["patches_the_model"]
    trained = next(r for r in results.values() if "trains" in r.name)
    assert trained.score == 0 and "the grader's node" in trained.output, trained.output


def test_rewiring_the_graders_nodes_is_refused(graded):
    results = graded[0]["rewires_the_grader"]
    assert _score(results) == 0
    assert "changed the grader's node" in _outputs(results), _outputs(results)


@pytest.mark.parametrize("name,op", [("py_func", "PyFunc"), ("endless_while_loop", "Enter|Exit|LoopCond|NextIteration"),
                                     ("reads_a_file", "ReadFile"), ("prints_to_a_file", "PrintV2")])
def test_graphs_with_file_python_or_loop_ops_are_not_run(graded, name, op):
    results = graded[0][name]
    assert _score(results) == 0
    assert "not run" in _outputs(results) or "does not run" in _outputs(results), _outputs(results)
    assert re.search(rf"\(({op})\)", _outputs(results)), _outputs(results)


def test_smuggled_constants_are_refused(graded):
    assert "constants your function adds" in _outputs(graded[0]["smuggled_constants"])


def test_an_op_error_never_shows_its_text(graded):
    output = _outputs(graded[0]["error_carries_the_hidden_input"])
    assert "InvalidArgumentError in op" in output, output
    hidden = {f"{v:.4f}"[:6] for i, case in enumerate(CASES) for v in np.ravel(case_input(i, case))
              if abs(v) > 0.5}
    assert not any(h in output for h in hidden), output


@pytest.mark.parametrize("name", ["memory_bomb", "time_bomb"])
def test_a_runaway_graph_costs_only_its_own_check(graded, name):
    results = graded[0][name]
    values = next(r for r in results.values() if "unseen inputs" in r.name)
    assert values.score == 0
    assert re.search(r"out of time|out of memory|ran out of memory|ResourceExhausted|could not finish",
                     values.output), values.output


def test_no_file_was_written_by_a_graph():
    assert not Path("/tmp/ch11-leak.txt").exists()


# --------------------------------------------------------------------------- the verifier, on crafted graphs
def _graph_def(build):
    from grader.graphs import fresh_graph
    with fresh_graph() as graph:
        build()
    return graph.as_graph_def()


def test_a_tensor_fed_in_one_recorded_run_does_not_hide_what_another_run_runs(tmp_path):
    """Found by a red team: feeds were pooled across runs, so run 2 ran, unchecked, what run 1 had fed."""
    from grader.graphs import tf
    from grader.judge.verify import Refused, check_runnable

    def build():
        written = tf.io.write_file(str(tmp_path / "pwned"), "x")
        with tf.control_dependencies([written]):
            tf.identity(tf.constant("x"), name="cut")
    graph = _graph_def(build)
    check_runnable(graph, ["cut:0"], {}, feeds={"cut:0": "y"})  # fed: nothing above it runs
    with pytest.raises(Refused, match="WriteFile"):
        check_runnable(graph, ["cut:0"], {}, feeds={})  # the next run, unfed: refused


def test_feeding_one_output_of_a_node_does_not_hide_the_node():
    from grader.graphs import tf
    from grader.judge.verify import Refused, check_input, check_runnable

    def build():
        written = tf.io.write_file("/tmp/ch11-never", "x")
        with tf.control_dependencies([written]):
            _, second = tf.identity_n([tf.constant(1.0), tf.constant(2.0)], name="z")
        tf.identity(second, name="uses_the_other_output")
    graph = _graph_def(build)
    with pytest.raises(Refused):
        check_input(graph, "z")  # the judge's input must be a plain placeholder or constant
    with pytest.raises(Refused, match="WriteFile"):
        check_runnable(graph, ["uses_the_other_output:0"], {}, feeds={"z:0": None})


def test_a_restore_reads_only_the_path_fed_in_its_own_run():
    from grader.graphs import tf
    from grader.judge.verify import Refused, check_runnable

    def build():
        v = tf.Variable([1.0], name="v")
        tf.train.Saver([v])
    graph = _graph_def(build)
    restore = "save/restore_all"
    check_runnable(graph, [restore], {}, feeds={"save/Const:0": "/judge/given.ckpt"}, checkpoints={"/judge/given.ckpt"})
    with pytest.raises(Refused, match="restores from a file"):
        check_runnable(graph, [restore], {}, feeds={"save/Const:0": "/elsewhere.ckpt"},
                       checkpoints={"/judge/given.ckpt"})
    with pytest.raises(Refused, match="restores from a file"):
        check_runnable(graph, [restore], {}, feeds={}, checkpoints={"/judge/given.ckpt"})


def test_an_interrupted_run_does_not_wait_for_a_measurement_under_way(tmp_path):
    """Ctrl-C kills the judge: a thread waiting for a long measurement (here one that would run
    for minutes) is released at once with KeyboardInterrupt, and no judge is started again."""
    import threading
    import time

    from grader.checks import pretrained_cache
    from grader.judge.client import Judge

    config = GradeConfig(out=tmp_path / "out")
    judge = Judge(config.budget, config.max_memory_mb, scratch=tmp_path, cache=pretrained_cache(config))
    sandbox = Sandbox(config.max_memory_mb, True, tmp_path)
    try:
        tasks = tasks_for(["leaky_relu"], {"leaky_relu": "time_bomb"})[:1]
        built = run_builds({"time_bomb": SETUP + [LEAKY["time_bomb"]]}, tasks, tmp_path, TIMEOUT, sandbox,
                           provided=judge.provided)
        assert built[tasks[0]["id"]].status == "ok", built[tasks[0]["id"]].message
        raised = []

        def wait_for_it():
            try:
                measure(built, tasks, judge, timeout=120)
            except KeyboardInterrupt:
                raised.append(time.monotonic())

        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        time.sleep(2)  # the measurement is running in the judge's fork
        assert waiter.is_alive()
        interrupted = time.monotonic()
        judge.interrupt()
        waiter.join(timeout=30)
        assert raised and raised[0] - interrupted < 5, "the measurement held its thread after the interrupt"
        assert judge.process.poll() is not None
        with pytest.raises(KeyboardInterrupt):  # and no judge is started again
            judge.measure("leaky_relu", tasks[0]["check"], {}, {}, 10)
        assert judge.process.poll() is not None
    finally:
        sandbox.close()
        judge.close()


def test_the_scaffolds_built_once_are_those_a_measurement_builds():
    """The judge builds each exercise's SCAFFOLDS once per run (in a child, handed over pickled); a
    measurement asking for the same scaffold, even through a closure or partial made anew, gets it."""
    import pickle

    from grader.judge import imported
    from grader.judge.server import _measures

    _, scaffolds = _measures()
    built = pickle.loads(pickle.dumps(imported.build_scaffolds(scaffolds)))
    assert len(built) == len(scaffolds) - 1  # bn_update_ops' book graph is also its step graph
    _, again = _measures()  # case_graph(case) and partials made anew
    assert {imported._scaffold_key(s) for s in again} == set(built)
    for fn in again:
        fresh = imported.build_scaffold(fn)
        kept = built[imported._scaffold_key(fn)]
        assert kept.handles == fresh.handles and kept.variables == fresh.variables
        assert {n: v.SerializeToString(deterministic=True) for n, v in kept.nodes.items()} == \
            {n: v.SerializeToString(deterministic=True) for n, v in fresh.nodes.items()}


def test_a_scaffold_known_by_an_address_only_is_never_shared():
    """Two closures over equal values share a built scaffold; over objects told apart by their
    address only (which a later object may reuse), never."""
    from functools import partial

    from grader.judge import imported

    def case_graph(value):
        def scaffold():
            return {"value": value}
        return scaffold

    assert imported._scaffold_key(case_graph((1, "a"))) == imported._scaffold_key(case_graph((1, "a")))
    assert imported._scaffold_key(case_graph((1, "a"))) != imported._scaffold_key(case_graph((2, "a")))
    assert imported._scaffold_key(case_graph(object())) is None
    assert imported._scaffold_key(partial(case_graph, lambda: 1)) is None


def test_the_judge_forks_its_measurements_from_a_single_thread(judge):
    """A child forked from a process with more threads inherits their locks and pools but not the threads;
    building the scaffolds starts TensorFlow's graph-runner thread, so the judge builds them apart."""
    assert judge.provided().exists()  # waits until the judge is ready
    assert len(list(Path(f"/proc/{judge.process.pid}/task").iterdir())) == 1

"""clipped_apply_gradients, judge side: run the student's op on the verified graphs (the judge
measures the gradients itself, for the messages); train the book's deep ReLU MLP with it."""
from __future__ import annotations

from grader.graphs import tf
from grader.judge.imported import load_op, run_safely
from grader.judge.training import fit, held_out_accuracy

from .build import CASES, small_graph
from .model import HYPERPARAMETERS as BOOK, scaffold


def measure_step(artifact, ctx) -> dict:
    out = {}
    for i, (_, _, _, runs) in enumerate(CASES):
        loaded, op = load_op(artifact, f"c{i}", small_graph)
        with loaded.graph.as_default():
            gradients = tf.gradients(loaded.handles["loss"], loaded.variables)
        names = [v.op.name for v in loaded.variables]
        with loaded.session() as sess:
            loaded.initialize(sess)
            out.update(loaded.values(sess, f"c{i}.before:"))
            for name, g in zip(names, run_safely(sess, gradients)):
                out[f"c{i}.grad:{name}"] = g
            for _ in range(runs):
                run_safely(sess, op)
            out.update(loaded.values(sess, f"c{i}.after:"))
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's deep ReLU MLP (model.py)."""
    loaded, op = load_op(artifact, "model", scaffold)
    h = loaded.handles
    with loaded.session() as sess:
        loaded.initialize(sess)
        fit(sess, h["X"], h["y"], op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (small_graph, scaffold)
MEASURES = {"step": measure_step, "trained": measure_trained}

"""freeze_layers, judge side: run the student's op on the verified graphs; train the new model with it
on hidden1-3 restored by the judge from its pretrained checkpoint."""
from __future__ import annotations

from grader.judge.imported import load_op, run_safely
from grader.judge.training import book_saver, fit, held_out_accuracy

from .build import CASES, small_graph
from .model import HYPERPARAMETERS as BOOK, scaffold


def measure_step(artifact, ctx) -> dict:
    out = {}
    for i, _ in enumerate(CASES):
        loaded, op = load_op(artifact, f"f{i}", small_graph)
        with loaded.session() as sess:
            loaded.initialize(sess)
            out.update(loaded.values(sess, f"f{i}.before:"))
            run_safely(sess, op)
            out.update(loaded.values(sess, f"f{i}.after:"))
    return out


def measure_trained(artifact, ctx) -> dict:
    loaded, op = load_op(artifact, "model", scaffold)
    h = loaded.handles
    with loaded.graph.as_default():
        saver = book_saver(loaded.variables, BOOK["reused_layers"])
    with loaded.session() as sess:
        loaded.initialize(sess)
        saver.restore(sess, ctx.pretrained)
        fit(sess, h["X"], h["y"], op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (small_graph, scaffold)
MEASURES = {"step": measure_step, "trained": measure_trained}

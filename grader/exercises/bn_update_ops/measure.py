"""bn_update_ops, judge side: run the student's op on the verified graphs; train the book's BN MLP with it."""
from __future__ import annotations

from grader.judge.imported import load_op, run_safely
from grader.judge.training import fit, held_out_accuracy

from .build import GRAPHS
from .model import HYPERPARAMETERS as BOOK, scaffold


def measure_step(artifact, ctx) -> dict:
    out = {}
    for g, (_, small_graph, _, runs) in enumerate(GRAPHS):
        loaded, op = load_op(artifact, f"g{g}", small_graph)
        with loaded.session() as sess:
            loaded.initialize(sess)
            out.update(loaded.values(sess, f"g{g}.before:"))
            for _ in range(runs):
                run_safely(sess, op, {loaded.handles["training"]: True})
            out.update(loaded.values(sess, f"g{g}.after:"))
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's BN MLP (model.py), evaluated with its moving statistics."""
    loaded, op = load_op(artifact, "model", scaffold)
    h = loaded.handles
    with loaded.session() as sess:
        loaded.initialize(sess)
        fit(sess, h["X"], h["y"], op, ctx.budget, batch_size=BOOK["batch_size"], train_feed={h["training"]: True})
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (*(graph for _, graph, _, _ in GRAPHS), scaffold)
MEASURES = {"step": measure_step, "trained": measure_trained}

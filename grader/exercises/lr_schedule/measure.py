"""lr_schedule, judge side: run the student's training op k times on the verified graphs, reading the
learning rate after each run, the scaffold's variables and (for the messages) the gradients the judge
computes itself; train the book's 300-50-10 network with it."""
from __future__ import annotations

import numpy as np

from grader.graphs import tf
from grader.judge.imported import load, run_safely, student_initializers
from grader.judge.training import fit, held_out_accuracy
from grader.judge.verify import Refused

from .build import CASES, small_graph
from .model import HYPERPARAMETERS as BOOK, scaffold
from grader.i18n import _


def load_pair(artifact, key: str, scaffold_fn):
    """The graph of `key`, built by build_pair: verified (the training op, the learning-rate tensor and
    the student's initializers are all it may run), imported; and the two names to run."""
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    op, learning_rate = str(built.get("op", "")), str(built.get("learning_rate", ""))
    initializers = student_initializers(built)
    loaded = load(artifact.blobs[key], scaffold_fn, [op, learning_rate], initializers)
    return loaded, op, learning_rate


def _rate(sess, learning_rate) -> np.ndarray:
    try:
        return np.asarray(run_safely(sess, learning_rate), dtype=np.float64)
    except (TypeError, ValueError):
        raise Refused(_("the learning_rate your function returned does not evaluate to a number")) from None


def measure_step(artifact, ctx) -> dict:
    out = {}
    for i, case in enumerate(CASES):
        p = f"s{i}."
        loaded, op, learning_rate = load_pair(artifact, f"s{i}", small_graph)
        with loaded.graph.as_default():
            gradients = tf.gradients(loaded.handles["loss"], loaded.variables)
        names = [v.op.name for v in loaded.variables]
        with loaded.session() as sess:
            loaded.initialize(sess)
            out[p + "lr:0"] = _rate(sess, learning_rate)
            out.update(loaded.values(sess, p + "after:0:"))
            for k in range(1, case.runs + 1):
                for name, g in zip(names, run_safely(sess, gradients)):
                    out[f"{p}grad:{k - 1}:{name}"] = g
                run_safely(sess, op)
                out[f"{p}lr:{k}"] = _rate(sess, learning_rate)
                out.update(loaded.values(sess, f"{p}after:{k}:"))
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's network (model.py), trained with the student's op; the learning rate it reached."""
    loaded, op, learning_rate = load_pair(artifact, "model", scaffold)
    h = loaded.handles
    with loaded.session() as sess:
        loaded.initialize(sess)
        fit(sess, h["X"], h["y"], op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget),
                "learning_rate": _rate(sess, learning_rate)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (small_graph, scaffold)
MEASURES = {"step": measure_step, "trained": measure_trained}

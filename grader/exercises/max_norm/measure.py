"""max_norm, judge side: load hidden values into the kernels, run every op of the collection (names sent
by the builder, verified), read the kernels back; train the book's max-norm MLP, running the collection's
ops after each training step as the book does."""
from __future__ import annotations

import numpy as np

from grader.graphs import SEED, tf
from grader.judge import verify
from grader.judge.imported import load, run_safely, student_initializers
from grader.judge.training import batches, held_out_accuracy, mnist
from grader.judge.verify import Refused

from .build import CASES, case_graph, hidden_kernel
from .model import HYPERPARAMETERS as BOOK, scaffold
from grader.i18n import _


def _built(artifact, key: str) -> tuple[dict, list[str], list[str]]:
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    ops = [str(n) for n in built.get("ops", [])][:1000]
    initializers = student_initializers(built)
    return built, ops, initializers


def _op_types(blob: bytes, names: list[str]) -> list[str]:
    nodes = {n.name: n.op for n in verify.parse(blob).node}
    return [nodes.get(name.split(":")[0], "?") for name in names]


def measure_values(artifact, ctx) -> dict:
    out = {}
    for i, case in enumerate(CASES):
        key = f"c{i}"
        built = artifact.info.get(key) or {}
        if "error" in built:
            out[key + ".error"] = f"your function raised {str(built['error'])[:300]}"
            continue
        try:
            built, ops, initializers = _built(artifact, key)
            loaded = load(artifact.blobs[key], case_graph(case), ops, initializers)
            with loaded.session() as sess:
                loaded.initialize(sess)
                for k, variable in enumerate(loaded.variables):
                    sess.run(variable.initializer, {variable.initializer.inputs[1]: hidden_kernel(i, k, case)})
                out.update(loaded.values(sess, f"{key}.before:"))
                if ops:
                    run_safely(sess, ops)
                out.update(loaded.values(sess, f"{key}.after:"))
        except Refused as why:
            out[key + ".error"] = str(why)
            continue
        out[key + ".count"] = len(ops)
        out[key + ".not_ops"] = int(built.get("not_ops", 0) or 0)
        out[key + ".types"] = np.array(_op_types(artifact.blobs[key], ops) or [""])
        out[key + ".returned"] = np.array([str(r)[:40] for r in built.get("returned", [])][:10] or [""])
        collections = built.get("collections") if isinstance(built.get("collections"), dict) else {}
        out[key + ".others"] = np.array([f"{str(k)[:60]!r} ({int(v)})" for k, v in list(collections.items())[:5]]
                                        or [""])
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's max-norm MLP (model.py): one training step, then the collection's ops, per batch."""
    _, ops, initializers = _built(artifact, "model")
    loaded = load(artifact.blobs["model"], scaffold, ops, initializers)
    h = loaded.handles
    with loaded.graph.as_default():
        optimizer = tf.train.MomentumOptimizer(BOOK["learning_rate"], momentum=BOOK["momentum"])
        training_op = optimizer.minimize(h["loss"], var_list=list(loaded.variables))
        slots = tf.variables_initializer(optimizer.variables())
    data = mnist(ctx.budget)
    rng = np.random.RandomState(SEED)
    with loaded.session() as sess:
        loaded.initialize(sess)
        sess.run(slots)
        for _ in range(ctx.budget.epochs):
            for X_batch, y_batch in batches(data.train.X, data.train.y, BOOK["batch_size"], rng):
                run_safely(sess, training_op, {h["X"]: X_batch, h["y"]: y_batch})
                if ops:
                    run_safely(sess, ops)
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (*(case_graph(case) for case in CASES), scaffold)
MEASURES = {"values": measure_values, "trained": measure_trained}

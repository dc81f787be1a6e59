"""dropout, judge side: run the student's dropout on hidden inputs (training fed True twice, fed False,
and left at its default) and reduce the outputs to the statistics the verdict needs; train the book's
dropout MLP, the judge's network wired through the student's three dropout calls."""
from __future__ import annotations

import numpy as np

from grader import graphs
from grader.graphs import fresh_graph, new_session, tf
from grader.judge import verify
from grader.judge.imported import build_scaffold, load, run_safely, student_initializers
from grader.judge.training import fit, held_out_accuracy
from grader.judge.verify import Refused

from .build import CASES, case_graph, hidden_input
from .model import HYPERPARAMETERS as BOOK, SITES, call_sites
from grader.i18n import _


def _output_name(artifact, key: str, output: str) -> str:
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    outputs = built.get("outputs")
    if not isinstance(outputs, dict) or not isinstance(outputs.get(output), str):
        raise Refused(_("the builder sent no output for this case"))
    return outputs[output]


def _first_difference(got: np.ndarray, x: np.ndarray) -> dict:
    """Where the output is not exactly the input (the largest difference), if anywhere."""
    if got.shape != x.shape:
        return {"equal": False, "index": np.array([], dtype=np.int64), "input": np.nan, "output": np.nan}
    differ = got != x
    if not differ.any():
        return {"equal": True}
    error = np.nan_to_num(np.abs(got.astype(np.float64) - x), nan=np.inf) * differ
    index = np.unravel_index(int(np.argmax(error)), got.shape)
    return {"equal": False, "index": np.array(index), "input": float(x[index]), "output": float(got[index])}


def _agreement(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per axis: how often two neighbours along that axis are both dropped or both kept, and how many pairs."""
    rates, pairs = [], []
    for axis in range(mask.ndim):
        n = mask.shape[axis]
        if n < 2:
            rates.append(np.nan)
            pairs.append(0)
            continue
        a, b = np.take(mask, range(1, n), axis=axis), np.take(mask, range(0, n - 1), axis=axis)
        rates.append(float(np.mean(a == b)))
        pairs.append(int(a.size))
    return np.array(rates), np.array(pairs)


def statistics(x: np.ndarray, on1: np.ndarray, on2: np.ndarray, rate: float) -> dict:
    """What the verdict needs of two outputs with training=True."""
    out = {"shape": np.array(on1.shape), "nonfinite": int(np.sum(~np.isfinite(on1)))}
    if on1.shape != x.shape or on2.shape != x.shape:
        return out
    dropped1, dropped2 = on1 == 0, on2 == 0
    out["zeros"] = float(dropped1.mean())
    out["differ"] = float(np.mean(dropped1 != dropped2))
    out["agree"], out["pairs"] = _agreement(dropped1)
    kept = ~dropped1
    if kept.any():
        expected = x.astype(np.float64) / (1.0 - rate)
        error = np.where(kept, np.nan_to_num(np.abs(on1 - expected) / np.abs(expected), nan=np.inf), 0.0)
        index = np.unravel_index(int(np.argmax(error)), x.shape)
        out.update({"scale_error": float(error[index]), "scale_index": np.array(index),
                    "scale_input": float(x[index]), "scale_output": float(on1[index])})
    return out


def measure_values(artifact, ctx) -> dict:
    out = {}
    for i, case in enumerate(CASES):
        key = f"c{i}"
        built = artifact.info.get(key) or {}
        if "error" in built:
            out[key + ".error"] = f"your function raised {str(built['error'])[:300]}"
            continue
        try:
            name = _output_name(artifact, key, "output")
            initializers = student_initializers(built)
            loaded = load(artifact.blobs[key], case_graph(case), [name], initializers)
            output = loaded.graph.get_tensor_by_name(name)
        except (KeyError, ValueError, TypeError):
            out[key + ".error"] = "what your function returned is not a tensor of its graph"
            continue
        except Refused as why:
            out[key + ".error"] = str(why)
            continue
        h, x = loaded.handles, hidden_input(i, case)
        try:
            with loaded.session() as sess:
                loaded.initialize(sess)
                on1 = np.asarray(run_safely(sess, output, {h["inputs"]: x, h["training"]: True}))
                on2 = np.asarray(run_safely(sess, output, {h["inputs"]: x, h["training"]: True}))
                off = np.asarray(run_safely(sess, output, {h["inputs"]: x, h["training"]: False}))
                default = np.asarray(run_safely(sess, output, {h["inputs"]: x}))
        except Refused as why:
            out[key + ".error"] = str(why)
            continue
        for k, v in statistics(x, on1, on2, case.rate).items():
            out[f"{key}.{k}"] = v
        for mode, value in (("off", off), ("default", default)):
            for k, v in _first_difference(value, x).items():
                out[f"{key}.{mode}.{k}"] = v
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's dropout MLP (model.py): the judge's network, each dropout call imported from the
    student's verified graph with its input wired to the network's tensor."""
    names = {site: _output_name(artifact, "model", site) for site, _kind in SITES}
    graph_def = verify.parse(artifact.blobs["model"])
    scaffold = build_scaffold(call_sites)
    verify.check_scaffold(graph_def, scaffold.nodes)
    inputs = {scaffold.handles[site]: None for site, _kind in SITES}
    inputs[scaffold.handles["training"]] = None
    verify.check_runnable(graph_def, list(names.values()), scaffold.nodes, feeds=inputs)
    verify.clear_devices(graph_def)

    with fresh_graph() as graph:
        X, y = graphs.inputs()
        training = tf.placeholder_with_default(False, shape=(), name="training")

        def dropout(site: str, tensor):
            try:
                [result] = tf.import_graph_def(
                    graph_def, input_map={scaffold.handles[site]: tensor, scaffold.handles["training"]: training},
                    return_elements=[names[site]], name=f"student_{site}")
            except (KeyError, ValueError, TypeError):
                raise Refused(_("your dropout could not be applied to the layer {site} of the MLP").format(
                    site=site)) from None
            return result

        hidden = dropout("X", X)
        for seed, (units, (site, _kind)) in enumerate(zip(BOOK["hidden_layers"], SITES[1:]), start=1):
            hidden = tf.layers.dense(hidden, units, activation=tf.nn.relu, name=site,
                                     kernel_initializer=tf.glorot_uniform_initializer(seed=seed))
            hidden = dropout(site, hidden)
        logits = tf.layers.dense(hidden, 10, name="outputs", kernel_initializer=tf.glorot_uniform_initializer(seed=3))
        loss, accuracy = graphs.loss_and_accuracy(logits, y)
        optimizer = tf.train.MomentumOptimizer(BOOK["learning_rate"], momentum=BOOK["momentum"])
        training_op = optimizer.minimize(loss)
        init = tf.global_variables_initializer()
    with new_session(graph) as sess:
        run_safely(sess, init)
        fit(sess, X, y, training_op, ctx.budget, batch_size=BOOK["batch_size"], train_feed={training: True})
        return {"accuracy": held_out_accuracy(sess, X, y, accuracy, ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (*(case_graph(case) for case in CASES), call_sites)
MEASURES = {"values": measure_values, "trained": measure_trained}

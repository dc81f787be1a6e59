"""regularization_losses, judge side: evaluate the student's loss on the verified graphs with hidden
inputs and weights (and the base loss and each regularization term, for the messages); train the
book's ℓ1 MLP by minimizing it."""
from __future__ import annotations

import numpy as np

from grader.graphs import tf
from grader.judge.imported import load, run_safely, student_initializers
from grader.judge.training import fit, held_out_accuracy
from grader.judge.verify import Refused

from .build import CASES, case_graph, hidden_feed, hidden_weights
from .model import HYPERPARAMETERS as BOOK, scaffold
from grader.i18n import _


def _load(artifact, key: str, scaffold_fn):
    """The verified graph of `key` and the student's loss tensor in it."""
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    output = str(built.get("output", ""))
    initializers = student_initializers(built)
    loaded = load(artifact.blobs[key], scaffold_fn, [output], initializers)
    try:
        tensor = loaded.graph.get_tensor_by_name(output)
    except (KeyError, ValueError, TypeError):
        raise Refused(_("what your function returned is not a tensor of its graph")) from None
    return loaded, tensor


def _set_hidden_weights(sess, loaded, values) -> None:
    """Load hidden values into the scaffold's variables (through their initializers: no new op)."""
    for variable, value in zip(loaded.variables, values):
        sess.run(variable.initializer, {variable.initializer.inputs[1]: value})


def measure_values(artifact, ctx) -> dict:
    out = {}
    for i, case in enumerate(CASES):
        key = f"c{i}"
        built = artifact.info.get(key) or {}
        if "error" in built:
            out[key + ".error"] = f"your function raised {str(built['error'])[:300]}"
            continue
        try:
            loaded, loss = _load(artifact, key, case_graph(case))
        except Refused as why:
            out[key + ".error"] = str(why)
            continue
        h = loaded.handles
        terms = [h[k] for k in sorted((k for k in h if k.startswith("term")), key=lambda k: int(k[4:]))]
        feed = {h[name]: value for name, value in hidden_feed(i).items()}
        with loaded.session() as sess:
            loaded.initialize(sess)
            _set_hidden_weights(sess, loaded, hidden_weights(i, [tuple(v.shape.as_list()) for v in loaded.variables]))
            try:
                got, base, *values = run_safely(sess, [loss, h["base_loss"]] + terms, feed)
            except Refused as why:
                out[key + ".error"] = str(why)
                continue
        out[key] = np.asarray(got)
        out[key + ".base"] = np.float64(base)
        out[key + ".terms"] = np.asarray(values, dtype=np.float64)
    return out


def measure_trained(artifact, ctx) -> dict:
    """The book's ℓ1 MLP (model.py), trained by gradient descent on the student's loss."""
    loaded, loss = _load(artifact, "model", scaffold)
    h = loaded.handles
    with loaded.graph.as_default():
        trainable = list(loaded.variables)  # kernels and biases: all trainable
        try:
            training_op = tf.train.GradientDescentOptimizer(BOOK["learning_rate"]).minimize(loss, var_list=trainable)
        except (ValueError, TypeError):
            raise Refused(_("the loss your function returned cannot be minimized (no gradient reaches the "
                            "network's weights, or it is not a float tensor)")) from None
    with loaded.session() as sess:
        loaded.initialize(sess)
        fit(sess, h["X"], h["y"], training_op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (*(case_graph(case) for case in CASES), scaffold)
MEASURES = {"values": measure_values, "trained": measure_trained}

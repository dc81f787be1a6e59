"""Trained models a notebook handed in (grader.save_for_grading): verified, loaded with their saved
values, and evaluated on the grading split, which no student process holds.

A handed-in graph holds everything the notebook built (optimizers, savers, ...); only the part
between the inputs and the logits is run, and only after verify has allowed every op of it."""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from grader.graphs import fresh_graph, new_session, tf
from grader.i18n import _
from grader.judge import verify
from grader.judge.imported import run_safely
from grader.judge.training import mnist
from grader.judge.verify import Refused

MAX_VARIABLES = 10_000
VARIABLE_OPS = ("VariableV2", "Variable", "VarHandleOp")
# What a layer's activation may be fed through on the way back to batch normalization.
PASS_THROUGH = ("Identity", "Switch", "Merge", "RefSwitch", "RefMerge")
ACTIVATIONS = ("Elu", "Relu", "Selu", "LeakyRelu", "Relu6", "Sigmoid", "Tanh", "Softplus")


@dataclass
class Handin:
    graph: tf.Graph
    inputs: tf.Tensor
    logits: tf.Tensor
    training: tf.Tensor | None
    used: dict          # name -> the graph's variables the logits depend on (op)
    values: dict        # name -> saved value (every saved variable)
    sess: tf.Session


def _names(info: dict) -> tuple[str, str, str | None, list[str]]:
    def tensor(key, optional=False):
        value = info.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or ":" not in value or len(value) > 300:
            raise Refused(_("the saved model names no {key} tensor (hand it in with grader.save_for_grading)")
                          .format(key=key))
        return value
    variables = info.get("variables")
    if not isinstance(variables, list) or len(variables) > MAX_VARIABLES or \
            not all(isinstance(v, str) and len(v) <= 300 for v in variables):
        raise Refused(_("the saved model's list of variables could not be read"))
    return tensor("inputs"), tensor("logits"), tensor("training", optional=True), variables


def _saved_values(blob: bytes, names: list[str]) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            values = {name: npz[f"v{i}"] for i, name in enumerate(names) if f"v{i}" in npz.files}
    except (OSError, ValueError, KeyError, EOFError):
        raise Refused(_("the saved model's values could not be read")) from None
    if any(v.dtype.kind not in "fiub" for v in values.values()):
        raise Refused(_("the saved model's values are not all numbers"))
    return values


def _check_switch(graph_def, name: str) -> None:
    node = next((n for n in graph_def.node if n.name == name), None)
    if node is None or node.op not in ("Placeholder", "PlaceholderWithDefault"):
        raise Refused(_("the `training` tensor of the saved model is not a placeholder"))


def _dependencies(tensor: tf.Tensor, stop: set) -> list[tf.Operation]:
    """Every op `tensor` depends on (data and control inputs), not looking past the fed tensors."""
    seen, stack, order = set(), [tensor.op], []
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        order.append(op)
        stack += [t.op for t in op.inputs if t.name not in stop] + list(op.control_inputs)
    return order


def load_handin(artifact) -> Handin:
    """Verify and import a handed-in model; its variables set to their saved values."""
    if "graph" not in artifact.blobs or "values" not in artifact.blobs:
        raise Refused(_("the saved model is incomplete"))
    inputs, logits, training, names = _names(artifact.info)
    graph_def = verify.parse(artifact.blobs["graph"])
    verify.check_input(graph_def, inputs.split(":")[0])
    feeds = {inputs: None}
    if training is not None:
        _check_switch(graph_def, training.split(":")[0])
        feeds[training] = None
    verify.check_runnable(graph_def, [logits], {}, feeds=feeds)
    verify.clear_devices(graph_def)
    values = _saved_values(artifact.blobs["values"], names)
    with fresh_graph() as graph:
        try:
            tf.import_graph_def(graph_def, name="")
            handles = [graph.get_tensor_by_name(n) if n else None for n in (inputs, logits, training)]
        except (KeyError, ValueError, TypeError):
            raise Refused(_("the saved model's graph could not be loaded")) from None
        stop = {inputs} | ({training} if training else set())
        used = {op.name: op for op in _dependencies(handles[1], stop) if op.type in VARIABLE_OPS}
        assigns, feed = [], {}
        for name, op in used.items():
            if name not in values:
                raise Refused(_("the saved model has no value for the variable {name}, which the logits use")
                              .format(name=name[:80]))
            value = values[name]
            holder = tf.placeholder(tf.as_dtype(op.get_attr("dtype")), shape=value.shape)
            if op.type == "VarHandleOp":
                assigns.append(tf.raw_ops.AssignVariableOp(resource=op.outputs[0], value=holder))
            else:
                assigns.append(tf.assign(op.outputs[0], holder, validate_shape=False))
            feed[holder] = value
    sess = new_session(graph)
    if assigns:
        try:
            sess.run(assigns, feed)
        except (tf.errors.OpError, ValueError, TypeError):
            sess.close()
            raise Refused(_("the saved values do not fit the variables of the saved graph")) from None
    return Handin(graph, *handles, used, values, sess)


def value_tensor(op: tf.Operation) -> tf.Tensor:
    """A tensor holding a variable's value: a ref variable's output, or a read of a resource variable
    by the judge's own op (in the variable's graph)."""
    if op.type not in VARIABLE_OPS:
        raise Refused(_("{name} is not a variable").format(name=op.name[:80]))
    if op.type != "VarHandleOp":
        return op.outputs[0]
    with op.graph.as_default():
        return tf.raw_ops.ReadVariableOp(resource=op.outputs[0], dtype=op.get_attr("dtype"))


def variable_value(handin: Handin, name: str) -> np.ndarray:
    """The value a variable the logits use holds in the judge (the saved one)."""
    return np.asarray(handin.sess.run(value_tensor(handin.used[name])))


def grading_images(budget, digits) -> tuple[np.ndarray, np.ndarray]:
    """The grading split's images of `digits`, labelled by position (digit 5 of 5-9 is class 0)."""
    test = mnist(budget).test
    keep = np.isin(test.y, digits)
    return test.X[keep], np.searchsorted(np.asarray(digits), test.y[keep])


def logits_on(handin: Handin, X: np.ndarray, training: bool = False) -> np.ndarray:
    feed = {handin.inputs: X}
    if handin.training is not None:
        feed[handin.training] = training
    out = np.asarray(run_safely(handin.sess, handin.logits, feed))
    if out.ndim != 2 or out.shape[0] != len(X):
        raise Refused(_("the saved model's logits have shape {shape} for {n} images; expected ({n}, number of "
                        "classes)").format(shape=out.shape, n=len(X)))
    return out


def accuracy(handin: Handin, budget, digits) -> dict:
    X, y = grading_images(budget, digits)
    logits = logits_on(handin, X)
    if logits.shape[1] != len(digits):
        raise Refused(_("the saved model's logits have {columns} columns; expected {n} (one per digit "
                        "{first}-{last})").format(columns=logits.shape[1], n=len(digits), first=digits[0],
                                                  last=digits[-1]))
    return {"accuracy": float(np.mean(np.argmax(logits, axis=1) == y)), "images": len(y)}


def batch_norm_layers(handin: Handin) -> dict:
    """Batch normalization in the model: the moving statistics the logits use (have the update ops
    moved them from 0 and 1?), and the activations fed (through identities and switches) by it."""
    means = sorted(n for n in handin.used if n.endswith("moving_mean"))
    variances = sorted(n for n in handin.used if n.endswith("moving_variance"))
    moved = sum(1 for n in means if np.any(variable_value(handin, n) != 0.0))
    moved += sum(1 for n in variances if np.any(variable_value(handin, n) != 1.0))
    stop = {handin.inputs.name} | ({handin.training.name} if handin.training is not None else set())
    activations = [op for op in _dependencies(handin.logits, stop) if op.type in ACTIVATIONS]
    fed_by_bn = 0
    for op in activations:
        source = op.inputs[0].op
        while source.type in PASS_THROUGH and source.inputs:
            source = source.inputs[0].op
        if source.type.startswith("FusedBatchNorm") or "batchnorm/" in source.name or \
                "batch_normalization" in source.name.lower():
            fed_by_bn += 1
    return {"bn_layers": len(means), "bn_moved": moved, "bn_statistics": len(means) + len(variances),
            "activations": len(activations), "activations_after_bn": fed_by_bn}


def dropout_behaviour(handin: Handin, budget, digits) -> dict:
    """Is the model random when training and deterministic when not?"""
    X, _ = grading_images(budget, digits)
    X = X[:500]
    off = [logits_on(handin, X, False) for _ in range(2)]
    out = {"has_switch": handin.training is not None,
           "test_time_differs": float(np.max(np.abs(off[0] - off[1])))}
    if handin.training is not None:
        on = [logits_on(handin, X, True) for _ in range(2)]
        out["training_differs"] = float(np.max(np.abs(on[0] - on[1])))
    return out


def close(handin: Handin) -> None:
    handin.sess.close()


"""Hand in a trained model (exercises 8 and 9): `grader.save_for_grading(name, sess, inputs, logits, training)`.

Runs in the student's kernel. It writes what the grader's judge needs to evaluate the model
on images the student's code never sees: the session's graph, the value of every global
variable, and which tensors are the inputs, the logits and the `training` switch. The judge
verifies the graph (only ordinary ops between inputs and logits are run) before it runs it.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from .i18n import _

FOLDER = "graded"
NAMES = ("plain", "batch_norm", "dropout", "transfer")


def _name_of(tensor, what: str):
    if tensor is None:
        return None
    name = getattr(tensor, "name", None)
    if not isinstance(name, str) or ":" not in name:
        raise TypeError(_("{what} must be a tensor of the session's graph (got a {type})").format(
            what=what, type=type(tensor).__name__))
    return name


def save_for_grading(name: str, sess, inputs, logits, training=None, folder: str = FOLDER) -> str:
    """Save the model of `sess` as `name` (one of NAMES): `inputs` is the images placeholder (X),
    `logits` the output layer's logits, `training` the boolean placeholder that switches batch
    norm or dropout to training mode (None when the model has none). Returns the folder written."""
    if name not in NAMES:
        raise ValueError(_("name must be one of {names}; got {name}").format(names=", ".join(NAMES), name=repr(name)))
    graph = sess.graph
    tensors = {"inputs": _name_of(inputs, "inputs"), "logits": _name_of(logits, "logits"),
               "training": _name_of(training, "training")}
    for key, tensor in (("inputs", inputs), ("logits", logits), ("training", training)):
        if tensor is not None and getattr(tensor, "graph", graph) is not graph:
            raise ValueError(_("{key} is not in the session's graph (was the graph reset after training?)").format(
                key=key))
    variables = graph.get_collection("variables")
    values = dict(zip([v.op.name for v in variables], sess.run(variables))) if variables else {}
    target = Path(folder) / name
    target.mkdir(parents=True, exist_ok=True)
    (target / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
    with open(target / "values.npz", "wb") as file:
        np.savez(file, **{f"v{i}": np.asarray(v) for i, v in enumerate(values.values())})
    (target / "tensors.json").write_text(json.dumps({**tensors, "variables": list(values)}))
    size = sum(np.asarray(v).size for v in values.values())
    shown = re.sub(r"^\./", "", os.path.join(folder, name))
    print(_("Saved for grading: {folder}/ ({variables} variables, {values} values).").format(
        folder=shown, variables=len(values), values=f"{size:,}"))
    return str(target)

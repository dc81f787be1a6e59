"""leaky_relu, judge side: evaluate the student's activation on the hidden inputs, and train the
book's MLP with it (the judge builds the MLP; only the activation comes from the student)."""
from __future__ import annotations

from grader import graphs
from grader.graphs import fresh_graph, new_session, tf
from grader.judge import verify
from grader.judge.imported import load_subgraph, run_safely
from grader.judge.training import fit, held_out_accuracy
from grader.judge.verify import Refused

from .build import CASES, INPUT, NAMES, activation_inputs, case_input
from .model import HYPERPARAMETERS as BOOK
from grader.i18n import _


def measure_values(artifact, ctx) -> dict:
    out = {}
    for i, case in enumerate(CASES):
        key = f"case{i}"
        built = artifact.info.get(key) or {}
        if "error" in built or key not in artifact.blobs:
            out[key + ".error"] = f"your function raised {str(built.get('error', 'nothing'))[:300]}"
            continue
        hidden = case_input(i, case)
        try:
            with fresh_graph() as graph:
                if case.placeholder:
                    z = tf.placeholder(case.dtype, shape=(None,) + case.shape[1:])
                    feed = {z: hidden}
                else:
                    z, feed = tf.constant(hidden), {}
                output = load_subgraph(artifact.blobs[key], INPUT, str(built["output"]), z)
                with new_session(graph) as sess:
                    out[key] = run_safely(sess, output, feed)
        except Refused as why:
            out[key + ".error"] = str(why)
        except (ValueError, TypeError) as error:  # import: shapes or dtypes that do not fit the input
            out[key + ".error"] = f"its graph does not fit the input ({type(error).__name__})"
    return out


def measure_name(artifact, ctx) -> dict:
    """The returned op's name, if the graph has that op and the judge would run it."""
    out = {}
    for i, _ in enumerate(NAMES):
        key = f"name{i}"
        name = str(artifact.info.get(key, ""))
        graph = verify.parse(artifact.blobs[key]) if key in artifact.blobs else None
        if graph is None or name not in {n.name for n in graph.node}:
            out[key] = f"(no op named {name[:60]!r} in your graph)"
            continue
        verify.check_runnable(graph, [name], {})
        out[key] = name
    return out


def measure_trained(artifact, ctx) -> dict:
    """Chapter 11's leaky ReLU MLP with the book's hyper-parameters (model.py), He init."""
    with fresh_graph() as graph:
        X, y = graphs.inputs()
        hidden = X
        layers = activation_inputs()
        for seed, (layer, units) in enumerate(layers, start=1):
            pre = graphs.dense(hidden, units, layer, seed)
            built = artifact.info.get(layer) or {}
            try:
                hidden = load_subgraph(artifact.blobs[layer], INPUT, str(built["output"]), pre)
            except (KeyError, ValueError, TypeError):
                raise Refused(_("your activation could not be applied to a float32 layer of the MLP")) from None
        logits = graphs.dense(hidden, 10, "outputs", len(layers) + 1)
        loss, accuracy = graphs.loss_and_accuracy(logits, y)
        training_op = tf.train.GradientDescentOptimizer(BOOK["learning_rate"]).minimize(loss)
        init = tf.global_variables_initializer()
    with new_session(graph) as sess:
        run_safely(sess, init)
        fit(sess, X, y, training_op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, X, y, accuracy, ctx.budget)}


MEASURES = {"values": measure_values, "name": measure_name, "trained": measure_trained}

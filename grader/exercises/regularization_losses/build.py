"""regularization_losses, builder side: the student's regularized_loss on the grader's networks.

The networks' inputs are placeholders and their weights hold decoy values here: the judge feeds
hidden inputs and loads hidden weights before it evaluates, so nothing the student's code could
compute here is the answer."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.i18n import N_

HIDDEN_SEED = 61283
N_INPUTS, N_TARGETS, BATCH = 6, 3, 5


@dataclass(frozen=True)
class Case:
    what: str                # for the messages (marked: translated when shown)
    layers: tuple            # (name, units, kernel regularizer, bias regularizer, activity regularizer)
    by_hand: bool = False    # a term added to the collection by hand, from a variable of no layer


# A regularizer is (kind, scale): l1, l2, or l1_l2 (scale is then (l1, l2)); None for none.
CASES = (
    Case(N_("the book's layout: an ℓ1 regularizer (scale 0.001) on the kernel of each of three layers"),
         (("hidden1", 8, ("l1", 0.001), None, None), ("hidden2", 5, ("l1", 0.001), None, None),
          ("outputs", N_TARGETS, ("l1", 0.001), None, None))),
    Case(N_("ℓ1 and ℓ2 regularizers of different scales on kernels, a bias and an activity"),
         (("layer_a", 7, ("l2", 0.05), ("l1", 0.1), None), ("layer_b", 4, ("l1", 0.02), None, ("l2", 0.01)),
          ("layer_c", N_TARGETS, ("l1_l2", (0.005, 0.2)), None, None))),
    Case(N_("no regularizer at all (an empty collection)"),
         (("hidden1", 5, None, None, None), ("outputs", N_TARGETS, None, None, None))),
    Case(N_("an ℓ2 regularizer (scale 0.1) and a term added to the collection by hand"),
         (("hidden1", 6, ("l2", 0.1), None, None), ("outputs", N_TARGETS, None, None, None)), by_hand=True),
)


def _regularizer(tf, spec):
    if spec is None:
        return None
    kind, scale = spec
    if kind == "l1_l2":
        return tf.keras.regularizers.l1_l2(l1=scale[0], l2=scale[1])
    return getattr(tf.keras.regularizers, kind)(scale)


def case_graph(case: Case):
    """The scaffold of one case: a small dense network, its base loss and its regularization terms."""
    def scaffold() -> dict:
        from grader.graphs import tf
        X = tf.placeholder(tf.float32, shape=(None, N_INPUTS), name="X")
        target = tf.placeholder(tf.float32, shape=(None, N_TARGETS), name="target")
        hidden = X
        for seed, (name, units, kernel, bias, activity) in enumerate(case.layers, start=1):
            hidden = tf.layers.dense(
                hidden, units, activation=None if seed == len(case.layers) else tf.nn.elu, name=name,
                kernel_initializer=tf.glorot_uniform_initializer(seed=seed),
                kernel_regularizer=_regularizer(tf, kernel), bias_regularizer=_regularizer(tf, bias),
                activity_regularizer=_regularizer(tf, activity))
        if case.by_hand:
            extra = tf.Variable(np.ones((3, 2), dtype=np.float32), name="extra")
            tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES,
                                 tf.multiply(0.5, tf.reduce_sum(tf.square(extra)), name="extra_penalty"))
        base_loss = tf.reduce_mean(tf.square(hidden - target), name="base_loss")
        handles = {"X": X, "target": target, "base_loss": base_loss}
        for i, term in enumerate(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)):
            handles[f"term{i}"] = term
        return handles
    return scaffold


def hidden_feed(i: int) -> dict[str, np.ndarray]:
    """The hidden inputs of case i (the judge feeds them)."""
    rng = np.random.RandomState(HIDDEN_SEED + i)
    return {"X": rng.normal(0.0, 1.5, size=(BATCH, N_INPUTS)).astype(np.float32),
            "target": rng.normal(0.0, 1.0, size=(BATCH, N_TARGETS)).astype(np.float32)}


def hidden_weights(i: int, shapes: list[tuple]) -> list[np.ndarray]:
    """The hidden values of case i's variables, in the scaffold's order (the judge loads them)."""
    rng = np.random.RandomState(HIDDEN_SEED + 100 + i)
    return [rng.normal(0.0, 0.8, size=shape).astype(np.float32) for shape in shapes]


def _error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _export(scaffold, fn) -> tuple[dict, bytes]:
    from grader.graphs import fresh_graph, graph_bytes, tf, variable_initializers
    with fresh_graph() as graph:
        handles = scaffold()
        result = fn(handles["base_loss"])
        info = {"output": tf.convert_to_tensor(result).name, "initializers": variable_initializers()}
    return info, graph_bytes(graph)


def build_values(fn, workdir):
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        try:
            info[f"c{i}"], blobs[f"c{i}"] = _export(case_graph(case), fn)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[f"c{i}"] = {"error": _error(error)}
    return info, blobs


def build_trained(fn, workdir):
    from .model import scaffold
    info, blob = _export(scaffold, fn)
    return {"model": info}, {"model": blob}


BUILDS = {"values": build_values, "trained": build_trained}

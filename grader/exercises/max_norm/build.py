"""max_norm, builder side: the kernels are the scaffold's variables (decoy values here; the judge loads
hidden ones); the student's regularizer is then called on each kernel, as tf.layers does with
kernel_regularizer. What is exported: the graph, the names of the collection's ops (the judge verifies
and runs them), what the regularizer returned, and which collections it filled (for the messages)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN_SEED = 70913
DECOY_SEED = 3


@dataclass(frozen=True)
class Case:
    threshold: float
    kwargs: tuple        # keyword arguments besides the threshold, as ((key, value), ...)
    kernels: tuple       # ((variable name, shape), ...)

    @property
    def axes(self) -> int:
        return dict(self.kwargs).get("axes", 1)

    @property
    def collection(self) -> str:
        return dict(self.kwargs).get("collection", "max_norm")

    def call(self) -> str:
        return f"max_norm_regularizer({self.threshold}" + "".join(f", {k}={v!r}" for k, v in self.kwargs) + ")"


CASES = (
    Case(1.0, (), (("hidden1/kernel", (6, 4)), ("hidden2/kernel", (4, 5)))),
    Case(0.5, (("axes", 0),), (("layer_a/kernel", (5, 7)), ("layer_b/kernel", (7, 3)))),
    Case(2.0, (("axes", 1), ("name", "clip"), ("collection", "clip_weights")),
         (("dense/kernel", (5, 5)), ("dense_1/kernel", (5, 2)), ("dense_2/kernel", (2, 3)))),
)

# Norms of the hidden kernels' slices, as multiples of the threshold: some above it, some within.
NORM_FACTORS = (2.5, 0.4, 1.3, 0.9, 3.0, 0.6, 1.7, 0.2)


def hidden_kernel(i: int, k: int, case: Case) -> np.ndarray:
    """Kernel k of case i: each slice along the case's axes has a chosen norm."""
    _, shape = case.kernels[k]
    rng = np.random.RandomState(HIDDEN_SEED + 10 * i + k)
    w = rng.normal(size=shape)
    norms = np.linalg.norm(w, axis=case.axes, keepdims=True)
    count = norms.size
    factors = np.array([NORM_FACTORS[(j + k) % len(NORM_FACTORS)] for j in range(count)]).reshape(norms.shape)
    return (w / norms * factors * case.threshold).astype(np.float32)


def case_graph(case: Case):
    def scaffold() -> dict:
        from grader.graphs import tf
        rng = np.random.RandomState(DECOY_SEED)
        kernels = {}
        for name, shape in case.kernels:
            scope, var = name.split("/")
            with tf.variable_scope(scope):
                kernels[name] = tf.get_variable(var, initializer=rng.normal(size=shape).astype(np.float32))
        return kernels
    return scaffold


def _kind(value) -> str:
    from grader.graphs import tf
    if value is None:
        return "None"
    for kind in (tf.Variable, tf.Tensor, tf.Operation):
        if isinstance(value, kind):
            return f"tf.{kind.__name__}"
    return type(value).__name__


def _element_name(element) -> str | None:
    from grader.graphs import tf
    if isinstance(element, tf.Variable):
        return element.op.name
    if isinstance(element, (tf.Tensor, tf.Operation)):
        return element.name
    return None


def _export(scaffold, fn, threshold, kwargs: dict, kernels, collection: str) -> tuple[dict, bytes]:
    """Build the scaffold, then call the student's regularizer on each kernel (inside the name scope
    tf.layers uses); export the graph and the names of the collection's ops."""
    from grader.graphs import fresh_graph, graph_bytes, tf, variable_initializers
    with fresh_graph() as graph:
        handles = scaffold()
        regularizer = fn(threshold, **kwargs)
        returned = []
        for name in kernels:
            with tf.name_scope(f"{name}/Regularizer"):
                returned.append(_kind(regularizer(handles[name])))
        elements = graph.get_collection(collection)
        names = [_element_name(e) for e in elements]
        others = {key: len(graph.get_collection(key)) for key in graph.get_all_collection_keys()
                  if isinstance(key, str) and key != collection and key not in _TENSORFLOW_COLLECTIONS}
        info = {"ops": [n for n in names if n], "not_ops": sum(n is None for n in names), "returned": returned,
                "collections": {str(k)[:60]: v for k, v in sorted(others.items()) if v}, "collection": collection,
                "initializers": variable_initializers()}
    return info, graph_bytes(graph)


_TENSORFLOW_COLLECTIONS = {"variables", "trainable_variables", "cond_context", "while_context", "update_ops",
                           "losses", "regularization_losses", "train_op", "local_variables", "summaries"}


def build_values(fn, workdir):
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        try:
            info[f"c{i}"], blobs[f"c{i}"] = _export(case_graph(case), fn, case.threshold, dict(case.kwargs),
                                                    [name for name, _ in case.kernels], case.collection)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[f"c{i}"] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return info, blobs


def build_trained(fn, workdir):
    from .model import HYPERPARAMETERS as BOOK, REGULARIZED, scaffold

    def with_kernels():
        from grader.graphs import tf
        handles = scaffold()
        variables = {v.op.name: v for v in tf.global_variables()}
        return {**handles, **{name: variables[name] for name in REGULARIZED}}
    info, blob = _export(with_kernels, fn, BOOK["threshold"], {}, REGULARIZED, BOOK["collection"])
    return {"model": info}, {"model": blob}


BUILDS = {"values": build_values, "trained": build_trained}

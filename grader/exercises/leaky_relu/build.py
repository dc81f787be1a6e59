"""leaky_relu, builder side: call the student's activation on the grader's inputs and export the graphs.

The inputs built here are decoys of the right shape and dtype: the judge swaps in the hidden
values when it evaluates, so what the student's code could read here tells it nothing."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN_SEED = 80417
DECOY_SEED = 5


@dataclass(frozen=True)
class Case:
    shape: tuple
    dtype: str
    alpha: float | None      # None: call without alpha, the default 0.01 applies
    placeholder: bool        # fed through a placeholder of unknown batch size

    def describe(self) -> str:
        from grader.i18n import _
        alpha = _("the default alpha") if self.alpha is None else f"alpha={self.alpha}"
        return _("{alpha}, {dtype} input of shape {shape}").format(alpha=alpha, dtype=self.dtype, shape=self.shape)


CASES = (
    Case((7,), "float32", None, False),
    Case((3, 4), "float64", 0.2, False),
    Case((2, 3, 5), "float32", 0.3, True),
    Case((6,), "float64", 0.05, True),
    Case((4, 1), "float32", 0.5, False),
    Case((), "float64", 0.7, False),
)
NAMES = (("", "my_activation", None), ("layer3", "act", 0.2))
INPUT = "z"


def activation_inputs() -> list[tuple[str, int]]:
    """The MLP's hidden layers, whose pre-activations the student's activation gets."""
    from .model import HYPERPARAMETERS
    return [(f"hidden{i}", units) for i, units in enumerate(HYPERPARAMETERS["hidden_layers"], start=1)]


def case_input(i: int, case: Case, seed: int = HIDDEN_SEED) -> np.ndarray:
    rng = np.random.RandomState(seed + i)
    z = rng.uniform(-4, 4, size=case.shape).astype(case.dtype)
    if z.size > 2:
        z.flat[0], z.flat[1] = 0.0, -0.0  # edge values the formula must keep
    return z


def graph_input(tf, i: int, case: Case):
    """The input the student's function gets: a placeholder, or a constant holding decoy values."""
    if case.placeholder:
        return tf.placeholder(case.dtype, shape=(None,) + case.shape[1:], name=INPUT)
    return tf.constant(case_input(i, case, DECOY_SEED), name=INPUT)


def _error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def build_values(fn, workdir):
    from grader.graphs import fresh_graph, graph_bytes, tf
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        key = f"case{i}"
        try:
            with fresh_graph() as graph:
                z = graph_input(tf, i, case)
                result = fn(z) if case.alpha is None else fn(z, alpha=case.alpha)
                info[key] = {"output": tf.convert_to_tensor(result).name}
            blobs[key] = graph_bytes(graph)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[key] = {"error": _error(error)}
    return info, blobs


def build_name(fn, workdir):
    from grader.graphs import fresh_graph, graph_bytes, tf
    info, blobs = {}, {}
    for i, (scope, name, alpha) in enumerate(NAMES):
        with fresh_graph() as graph:
            z = tf.constant(case_input(i, CASES[0], DECOY_SEED))
            with tf.name_scope(scope or None):
                result = fn(z, name=name) if alpha is None else fn(z, alpha=alpha, name=name)
            info[f"name{i}"] = result.op.name if hasattr(result, "op") else str(result)[:100]
        blobs[f"name{i}"] = graph_bytes(graph)
    return info, blobs


def build_trained(fn, workdir):
    """The activation on each hidden layer's pre-activation (the judge builds the rest of the MLP)."""
    from grader.graphs import fresh_graph, graph_bytes, tf
    info, blobs = {}, {}
    for layer, units in activation_inputs():
        with fresh_graph() as graph:
            z = tf.placeholder(tf.float32, shape=(None, units), name=INPUT)
            info[layer] = {"output": tf.convert_to_tensor(fn(z)).name}
        blobs[layer] = graph_bytes(graph)
    return info, blobs


BUILDS = {"values": build_values, "name": build_name, "trained": build_trained}

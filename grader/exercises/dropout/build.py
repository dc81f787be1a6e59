"""dropout, builder side: the student's dropout_layer on placeholders (the judge feeds hidden inputs),
and on the three call sites of the book's dropout MLP (the judge builds the network around them)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN_SEED = 44021


@dataclass(frozen=True)
class Case:
    shape: tuple     # the placeholder's shape (None: a batch size known only when fed)
    fed: tuple       # the shape of the hidden input the judge feeds
    rate: float

    def describe(self) -> str:
        from grader.i18n import _
        return _("rate={rate} on a float32 input of shape {shape}").format(rate=self.rate, shape=self.fed)


CASES = (
    Case((200, 500), (200, 500), 0.5),
    Case((None, 400), (250, 400), 0.1),
    Case((40, 50, 50), (40, 50, 50), 0.7),
)


def case_graph(case: Case):
    def scaffold() -> dict:
        from grader.graphs import tf
        return {"inputs": tf.placeholder(tf.float32, shape=case.shape, name="inputs"),
                "training": tf.placeholder_with_default(False, shape=(), name="training")}
    return scaffold


def hidden_input(i: int, case: Case) -> np.ndarray:
    """No zeros: a zero in the output is a dropped element."""
    rng = np.random.RandomState(HIDDEN_SEED + i)
    magnitude = rng.uniform(0.5, 2.0, size=case.fed)
    return (magnitude * rng.choice([-1.0, 1.0], size=case.fed)).astype(np.float32)


def _error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _export(scaffold, call) -> tuple[dict, bytes]:
    """Build the scaffold, then the student's calls; export the graph and the outputs' names."""
    from grader.graphs import fresh_graph, graph_bytes, tf, variable_initializers
    with fresh_graph() as graph:
        handles = scaffold()
        outputs = {key: tf.convert_to_tensor(result).name for key, result in call(handles).items()}
        info = {"outputs": outputs, "initializers": variable_initializers()}
    return info, graph_bytes(graph)


def build_values(fn, workdir):
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        try:
            info[f"c{i}"], blobs[f"c{i}"] = _export(
                case_graph(case), lambda h: {"output": fn(h["inputs"], case.rate, h["training"])})
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[f"c{i}"] = {"error": _error(error)}
    return info, blobs


def build_trained(fn, workdir):
    from .model import HYPERPARAMETERS as BOOK, SITES, call_sites
    info, blob = _export(call_sites, lambda h: {name: fn(h[name], BOOK["dropout_rate"], h["training"])
                                                for name, _ in SITES})
    return {"model": info}, {"model": blob}


BUILDS = {"values": build_values, "trained": build_trained}

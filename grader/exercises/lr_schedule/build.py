"""lr_schedule, builder side: the student's scheduled_training_op on the grader's graphs; exports the
graph, the training op's name and the learning-rate tensor's name (both verified by the judge)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIDDEN_SEED = 60221
FUNCTION = "scheduled_training_op"


@dataclass(frozen=True)
class Case:
    initial_learning_rate: float
    decay_steps: int
    decay_rate: float
    momentum: float
    call: str            # "defaults": fn(loss); "positional": fn(loss, a, b, c, d); "keywords": fn(loss, a=..., ...)
    runs: int            # runs of training_op; learning_rate is read after each

    def describe(self) -> str:
        settings = (f"initial_learning_rate={self.initial_learning_rate}, decay_steps={self.decay_steps}, "
                    f"decay_rate={self.decay_rate}, momentum={self.momentum}")
        from grader.i18n import _
        return _("the default arguments ({settings})").format(settings=settings) if self.call == "defaults" \
            else settings

    def expected(self, k: int) -> float:
        return self.initial_learning_rate * self.decay_rate ** (k / self.decay_steps)


# Small decay_steps, so that k / decay_steps is fractional (a staircase schedule stays flat) and the
# schedule moves a lot within a few runs; momentums other than the book's 0.9.
CASES = (
    Case(0.05, 3, 0.5, 0.5, "keywords", 7),
    Case(0.2, 4, 0.25, 0.8, "positional", 6),
    Case(0.02, 2, 0.8, 0.3, "keywords", 5),
    Case(0.1, 10000, 0.1, 0.9, "defaults", 3),  # the defaults: the schedule moves by 0.02% per run
)


def small_graph():
    """A hidden ELU layer and a linear output, MSE on constants: gradients that change from step to step."""
    from grader.graphs import tf
    rng = np.random.RandomState(HIDDEN_SEED)
    X = tf.constant(rng.normal(0.0, 1.5, size=(10, 4)).astype(np.float32))
    target = tf.constant(rng.normal(size=(10, 2)).astype(np.float32))
    init = tf.random_normal_initializer(stddev=0.8, seed=17)
    hidden = tf.layers.dense(X, 3, activation=tf.nn.elu, name="hidden1", kernel_initializer=init)
    output = tf.layers.dense(hidden, 2, name="outputs", kernel_initializer=init,
                             bias_initializer=tf.constant_initializer(0.3))
    return {"loss": tf.reduce_mean(tf.square(output - target))}


def _call(fn, case: Case | None, loss, book: dict | None = None):
    try:
        if book is not None:
            return fn(loss, initial_learning_rate=book["initial_learning_rate"], decay_steps=book["decay_steps"],
                      decay_rate=book["decay_rate"], momentum=book["momentum"])
        if case.call == "defaults":
            return fn(loss)
        args = (case.initial_learning_rate, case.decay_steps, case.decay_rate, case.momentum)
        if case.call == "positional":
            return fn(loss, *args)
        return fn(loss, **dict(zip(("initial_learning_rate", "decay_steps", "decay_rate", "momentum"), args)))
    except NotImplementedError:
        raise
    except Exception as error:
        if case is not None:
            error.grader_called_with = case.describe()
        raise


def _pair(result):
    """(training op, learning-rate tensor) from what the student returned, or a TypeError in words."""
    from grader.graphs import as_single_op, tf
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        kind = (f"a {type(result).__name__} of {len(result)} items" if isinstance(result, (tuple, list))
                else f"one {type(result).__name__}, not a pair")
        raise TypeError(f"{FUNCTION} returned {kind}; return the pair (training_op, learning_rate)")
    op, learning_rate = result
    op = as_single_op(op, f"{FUNCTION}'s training_op")
    if isinstance(learning_rate, tf.Operation):
        raise TypeError(f"{FUNCTION}'s learning_rate is an op ({learning_rate.type}); return the learning-rate "
                        "tensor")
    if not isinstance(learning_rate, tf.Tensor):
        learning_rate = tf.convert_to_tensor(learning_rate)  # a tf.Variable's value, or a constant
    return op, learning_rate


def build_pair(scaffold, call) -> tuple[dict, bytes]:
    from grader.graphs import fresh_graph, graph_bytes, op_name, variable_initializers
    with fresh_graph() as graph:
        handles = scaffold()
        op, learning_rate = _pair(call(handles))
        info = {"op": op_name(op), "learning_rate": learning_rate.name, "initializers": variable_initializers()}
    return info, graph_bytes(graph)


def build_step(fn, workdir):
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        info[f"s{i}"], blobs[f"s{i}"] = build_pair(small_graph, lambda h, case=case: _call(fn, case, h["loss"]))
    return info, blobs


def build_trained(fn, workdir):
    from .model import HYPERPARAMETERS as BOOK, scaffold
    info, blob = build_pair(scaffold, lambda h: _call(fn, None, h["loss"], BOOK))
    return {"model": info}, {"model": blob}


BUILDS = {"step": build_step, "trained": build_trained}

"""The grader's own TensorFlow graph code, shared by the two sides of a check:

- the builder (grader.builder, in the sandbox, next to the student's code) builds these
  scaffolds and calls the student's function on them;
- the judge (grader.judge, where no student code ever runs) builds the same scaffolds again
  to verify that the student's exported graph still contains them unchanged, then measures.

Everything here is deterministic (explicit seeds, fixed names), so both sides produce
identical nodes. Nothing here is a solution: it is the book's networks without the part
the student writes.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # before TensorFlow is imported
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf2  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)
tf2.config.experimental.enable_op_determinism()

SEED = 42


@dataclass(frozen=True)
class Budget:
    """How much the judge trains: the same for the student's model and the reference's."""
    data: str = "sample"
    mnist_dir: str | None = None
    epochs: int = 3


def new_session(graph: tf.Graph) -> tf.Session:
    # One thread per op and between ops: float sums always in the same order.
    config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    return tf.Session(graph=graph, config=config)


@contextmanager
def fresh_graph(seed: int = SEED):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        yield graph


def as_single_op(result, what: str):
    """The student's function must return one op (or tensor); say so in words otherwise."""
    if isinstance(result, (tf.Operation, tf.Tensor, tf.Variable)):
        return result
    kind = type(result).__name__
    raise TypeError(f"{what} returned a {kind}, not one op (tf.Operation)"
                    + ("; combine several ops with tf.group(...)" if isinstance(result, (list, tuple)) else ""))


def op_name(result) -> str:
    """The name of the operation a returned op, tensor or variable runs."""
    if isinstance(result, tf.Variable):
        return result.op.name
    return result.name if isinstance(result, tf.Operation) else result.op.name


def variable_initializers(graph: tf.Graph | None = None) -> list[str]:
    """Initializer op names of every global variable of `graph` (default: the default graph)."""
    graph = graph or tf.get_default_graph()
    return [v.initializer.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)]


# --------------------------------------------------------------------------- the book's models
def _he_init(seed: int):
    return tf.variance_scaling_initializer(seed=seed)  # explicit seeds: extra student ops cannot shift them


def dense(inputs, units, name, seed, activation=None):
    return tf.layers.dense(inputs, units, activation=activation, name=name, kernel_initializer=_he_init(seed))


def inputs():
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    return X, y


def loss_and_accuracy(logits, y):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")
    correct = tf.nn.in_top_k(tf.cast(logits, tf.float32), y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return loss, accuracy


def bn_mlp(momentum: float = 0.9) -> dict:
    """Chapter 11's batch-norm MLP: 300-100-10, BN before ELU."""
    X, y = inputs()
    training = tf.placeholder_with_default(False, shape=(), name="training")
    bn = partial(tf.layers.batch_normalization, training=training, momentum=momentum)
    hidden1 = tf.nn.elu(bn(dense(X, 300, "hidden1", 1)))
    hidden2 = tf.nn.elu(bn(dense(hidden1, 100, "hidden2", 2)))
    logits = bn(dense(hidden2, 10, "outputs", 3))
    loss, accuracy = loss_and_accuracy(logits, y)
    return dict(X=X, y=y, training=training, loss=loss, accuracy=accuracy)


def deep_relu(X, n_outputs_hidden4=50):
    hidden = X
    for i, units in enumerate((300, 50, 50, n_outputs_hidden4), start=1):
        hidden = dense(hidden, units, f"hidden{i}", i, activation=tf.nn.relu)
    return hidden


def clipped_mlp() -> dict:
    """Chapter 11's gradient-clipping MLP: five ReLU hidden layers."""
    X, y = inputs()
    hidden5 = dense(deep_relu(X), 50, "hidden5", 5, activation=tf.nn.relu)
    logits = dense(hidden5, 10, "outputs", 6)
    loss, accuracy = loss_and_accuracy(logits, y)
    return dict(X=X, y=y, loss=loss, accuracy=accuracy)


def pretrained_mlp() -> dict:
    """The model whose hidden layers are reused: clipped_mlp's network, trained by the judge."""
    return clipped_mlp()


def reused_mlp() -> dict:
    """The new model on the pretrained hidden1-3: a new hidden4 (20 units) and outputs."""
    X, y = inputs()
    hidden = X
    for i, units in enumerate((300, 50, 50), start=1):
        hidden = dense(hidden, units, f"hidden{i}", 10 + i, activation=tf.nn.relu)
    hidden4 = dense(hidden, 20, "hidden4", 14, activation=tf.nn.relu)
    logits = dense(hidden4, 10, "outputs", 15)
    loss, accuracy = loss_and_accuracy(logits, y)
    return dict(X=X, y=y, loss=loss, accuracy=accuracy)


def save_untrained(model, path: str) -> str:
    """A checkpoint of `model` (a function building it) at its initial values: what a builder restores
    from while recording (the judge replays the restore from its own checkpoint)."""
    with fresh_graph() as graph:
        model()
        saver, init = tf.train.Saver(), tf.global_variables_initializer()
    with new_session(graph) as sess:
        sess.run(init)
        return saver.save(sess, path)



# --------------------------------------------------------------------------- what a builder exports
def graph_bytes(graph: tf.Graph) -> bytes:
    return graph.as_graph_def().SerializeToString()


def build_op(scaffold, call, what: str) -> tuple[dict, bytes]:
    """Build `scaffold()` (the grader's part), then `call(handles)` (the student's function, which
    must return one op); export the graph, the op's name and every variable's initializer."""
    with fresh_graph() as graph:
        handles = scaffold()
        op = as_single_op(call(handles), what)
        info = {"op": op_name(op), "initializers": variable_initializers()}
    return info, graph_bytes(graph)


def build_recorded(scaffold, call, checkpoint: str, key: str) -> tuple[dict, dict[str, bytes]]:
    """Build `scaffold()`, initialize it in a session, then `call(handles, session)` with a session that
    records every run (the student's restore); export the graph (blob `key`), the runs (numeric feeds
    as .npy blobs `key.feedR.I`) and what the call returned."""
    from grader.recording import RecordingSession
    with fresh_graph() as graph:
        handles = scaffold()
        init = tf.global_variables_initializer()
    with graph.as_default(), new_session(graph) as real:
        real.run(init)
        session = RecordingSession(real, tf)
        returned = call(handles, session)
    names = ([getattr(v, "op", v).name if hasattr(v, "op") else repr(v) for v in returned]
             if isinstance(returned, (list, tuple, set)) else [])
    blobs, runs = {key: graph_bytes(graph)}, []
    for r, run in enumerate(session.runs):
        feeds = {}
        for i, (name, array) in enumerate(run["feeds"].items()):
            if array.dtype.kind in "SU":
                feeds[name] = {"dtype": "string", "shape": list(array.shape),
                               "value": [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)
                                         for x in array.ravel()]}
            else:
                blob = f"{key}.feed{r}.{i}"
                blobs[blob] = _npy(array)
                feeds[name] = {"blob": blob}
        runs.append({"fetches": run["fetches"], "feeds": feeds})
    info = {"runs": runs, "returned": sorted(names), "returned_type": type(returned).__name__,
            "checkpoint": checkpoint, "initializers": variable_initializers(graph)}
    return info, blobs


def _npy(array: np.ndarray) -> bytes:
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()

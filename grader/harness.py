"""The grader's own TensorFlow code: small graphs for the unit probes and the
training harness that trains a model once with the student's function and once
with the reference's, same seed, data, budget and deterministic ops.

Runs inside the probe worker only (it imports TensorFlow).
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


def variable_values(sess: tf.Session, prefix: str = "") -> dict[str, np.ndarray]:
    """Every global variable of the session's graph, by name (without ':0')."""
    variables = sess.graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    values = sess.run(variables)
    return {prefix + v.op.name: np.asarray(x) for v, x in zip(variables, values)}


def as_single_op(result, what: str):
    """The student's function must return one op (or tensor); say so in words otherwise."""
    if isinstance(result, (tf.Operation, tf.Tensor, tf.Variable)):
        return result
    kind = type(result).__name__
    raise TypeError(f"{what} returned a {kind}, not one op (tf.Operation)"
                    + ("; combine several ops with tf.group(...)" if isinstance(result, (list, tuple)) else ""))


# --------------------------------------------------------------------------- data
_MNIST = {}


def mnist(data: str, mnist_dir: str | None):
    from grader.data import load_mnist
    key = (data, mnist_dir)
    if key not in _MNIST:
        _MNIST[key] = load_mnist(data, mnist_dir)
    return _MNIST[key]


def batches(X, y, batch_size: int, rng: np.random.RandomState):
    order = rng.permutation(len(X))
    for idx in np.array_split(order, len(X) // batch_size):
        yield X[idx], y[idx]



@dataclass(frozen=True)
class Budget:
    """How much the harness trains: the same for the student's run and the reference's."""
    data: str = "sample"
    mnist_dir: str | None = None
    epochs: int = 3


def _he_init(seed: int):
    return tf.variance_scaling_initializer(seed=seed)  # explicit seeds: extra student ops cannot shift them


def _dense(inputs, units, name, seed, activation=None):
    return tf.layers.dense(inputs, units, activation=activation, name=name,
                           kernel_initializer=_he_init(seed))


def _inputs():
    X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
    y = tf.placeholder(tf.int64, shape=(None,), name="y")
    return X, y


def _loss_and_accuracy(logits, y):
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_mean(xentropy, name="loss")
    correct = tf.nn.in_top_k(tf.cast(logits, tf.float32), y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return loss, accuracy


def _fit(sess, model, budget: Budget, batch_size: int, train_feed=None, seed: int = SEED) -> None:
    data = mnist(budget.data, budget.mnist_dir)
    rng = np.random.RandomState(seed)
    for _ in range(budget.epochs):
        for X_batch, y_batch in batches(data.train.X, data.train.y, batch_size, rng):
            feed = {model["X"]: X_batch, model["y"]: y_batch, **(train_feed or {})}
            sess.run(model["training_op"], feed_dict=feed)


def _train(graph, model, budget: Budget, batch_size: int, train_feed=None, after_init=None) -> dict:
    """Initialize, (restore,) train for the budget, and return the held-out accuracy."""
    with graph.as_default():
        init = tf.global_variables_initializer()
    with new_session(graph) as sess:
        sess.run(init)
        if after_init:
            after_init(sess)
        _fit(sess, model, budget, batch_size=batch_size, train_feed=train_feed)
        return {"accuracy": _test_accuracy(sess, model, budget)}


def _test_accuracy(sess, model, budget: Budget) -> float:
    data = mnist(budget.data, budget.mnist_dir)
    return float(sess.run(model["accuracy"], {model["X"]: data.test.X, model["y"]: data.test.y}))


# --------------------------------------------------------------------------- models (the book's)
def train_leaky_mlp(activation, budget: Budget) -> dict:
    """Chapter 11's leaky ReLU MLP: 300-100-10, He init, SGD 0.01, batches of 50."""
    with fresh_graph() as graph:
        X, y = _inputs()
        hidden1 = _dense(X, 300, "hidden1", 1, activation=activation)
        hidden2 = _dense(hidden1, 100, "hidden2", 2, activation=activation)
        logits = _dense(hidden2, 10, "outputs", 3)
        loss, accuracy = _loss_and_accuracy(logits, y)
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    model = dict(X=X, y=y, training_op=training_op, accuracy=accuracy)
    return _train(graph, model, budget, batch_size=50)


def train_bn_mlp(make_training_op, budget: Budget) -> dict:
    """Chapter 11's batch-norm MLP: 300-100-10, BN (momentum 0.9) before ELU, SGD 0.01, batches of 200."""
    with fresh_graph() as graph:
        X, y = _inputs()
        training = tf.placeholder_with_default(False, shape=(), name="training")
        bn = partial(tf.layers.batch_normalization, training=training, momentum=0.9)
        hidden1 = tf.nn.elu(bn(_dense(X, 300, "hidden1", 1)))
        hidden2 = tf.nn.elu(bn(_dense(hidden1, 100, "hidden2", 2)))
        logits = bn(_dense(hidden2, 10, "outputs", 3))
        loss, accuracy = _loss_and_accuracy(logits, y)
        training_op = as_single_op(make_training_op(tf.train.GradientDescentOptimizer(0.01), loss),
                                   "bn_training_op")
    model = dict(X=X, y=y, training_op=training_op, accuracy=accuracy)
    return _train(graph, model, budget, batch_size=200, train_feed={training: True})


def _deep_relu(X, n_outputs_hidden4=50):
    hidden = X
    for i, units in enumerate((300, 50, 50, n_outputs_hidden4), start=1):
        hidden = _dense(hidden, units, f"hidden{i}", i, activation=tf.nn.relu)
    return hidden


def train_clipped_mlp(make_training_op, budget: Budget, threshold: float = 1.0) -> dict:
    """Chapter 11's gradient-clipping MLP: five ReLU hidden layers, SGD 0.01, batches of 50, threshold 1.0."""
    with fresh_graph() as graph:
        X, y = _inputs()
        hidden4 = _deep_relu(X)
        hidden5 = _dense(hidden4, 50, "hidden5", 5, activation=tf.nn.relu)
        logits = _dense(hidden5, 10, "outputs", 6)
        loss, accuracy = _loss_and_accuracy(logits, y)
        training_op = as_single_op(
            make_training_op(tf.train.GradientDescentOptimizer(0.01), loss, threshold), "clipped_training_op")
    model = dict(X=X, y=y, training_op=training_op, accuracy=accuracy)
    return _train(graph, model, budget, batch_size=50)


# The harness's own versions of the book's code, used for the half of the
# layer-reuse pipeline that is not under test.
def book_restore(sess, checkpoint_path, scope="hidden[123]"):
    reused = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reused).restore(sess, checkpoint_path)
    return reused


def book_frozen_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    return optimizer.minimize(loss, var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES,
                                                               scope=train_scope))


_PRETRAINED: dict = {}


def pretrained_checkpoint(budget: Budget, workdir: str) -> str:
    """Pretrain the five-hidden-layer model once per worker and budget; return its checkpoint."""
    if budget in _PRETRAINED:
        return _PRETRAINED[budget]
    with fresh_graph() as graph:
        X, y = _inputs()
        hidden5 = _dense(_deep_relu(X), 50, "hidden5", 5, activation=tf.nn.relu)
        logits = _dense(hidden5, 10, "outputs", 6)
        loss, accuracy = _loss_and_accuracy(logits, y)
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
    model = dict(X=X, y=y, training_op=training_op, accuracy=accuracy)
    with new_session(graph) as sess:
        sess.run(init)
        _fit(sess, model, budget, batch_size=50, seed=SEED + 1)
        path = saver.save(sess, os.path.join(workdir, f"pretrained-{len(_PRETRAINED)}.ckpt"))
    _PRETRAINED[budget] = path
    return path


def train_reused_mlp(restore, frozen_op, budget: Budget, workdir: str) -> dict:
    """Reuse hidden1-3 of the pretrained model, add a new hidden4 (20 units) and outputs, freeze the rest."""
    checkpoint = pretrained_checkpoint(budget, workdir)
    with fresh_graph() as graph:
        X, y = _inputs()
        hidden = X
        for i, units in enumerate((300, 50, 50), start=1):
            hidden = _dense(hidden, units, f"hidden{i}", 10 + i, activation=tf.nn.relu)
        hidden4 = _dense(hidden, 20, "hidden4", 14, activation=tf.nn.relu)
        logits = _dense(hidden4, 10, "outputs", 15)
        loss, accuracy = _loss_and_accuracy(logits, y)
        training_op = as_single_op(frozen_op(tf.train.GradientDescentOptimizer(0.01), loss),
                                   "frozen_training_op")
    model = dict(X=X, y=y, training_op=training_op, accuracy=accuracy)
    return _train(graph, model, budget, batch_size=50, after_init=lambda sess: restore(sess, checkpoint))

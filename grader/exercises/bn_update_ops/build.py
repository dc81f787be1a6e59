"""bn_update_ops, builder side: the student's bn_training_op on the grader's batch-norm networks."""
from __future__ import annotations

from functools import partial

import numpy as np

from grader.i18n import N_

HIDDEN_SEED = 31337


def book_graph():
    """Three batch-norm layers as in the book: dense -> BN (momentum 0.9) -> ELU."""
    from grader.graphs import tf
    rng = np.random.RandomState(HIDDEN_SEED)
    training = tf.placeholder_with_default(False, shape=(), name="training")
    X = tf.constant(rng.normal(2.0, 3.0, size=(16, 8)).astype(np.float32))
    target = tf.constant(rng.normal(size=(16, 3)).astype(np.float32))
    bn = partial(tf.layers.batch_normalization, training=training, momentum=0.9)
    init = tf.variance_scaling_initializer(seed=7)
    h1 = tf.nn.elu(bn(tf.layers.dense(X, 6, name="hidden1", kernel_initializer=init)))
    h2 = tf.nn.elu(bn(tf.layers.dense(h1, 4, name="hidden2", kernel_initializer=init)))
    logits = bn(tf.layers.dense(h2, 3, name="outputs", kernel_initializer=init))
    return {"training": training, "loss": tf.reduce_mean(tf.square(logits - target))}


def scoped_graph():
    """Other scopes, another momentum; run twice with a stateful optimizer."""
    from grader.graphs import tf
    rng = np.random.RandomState(HIDDEN_SEED + 1)
    training = tf.placeholder_with_default(False, shape=(), name="is_training")
    X = tf.constant(rng.normal(-1.0, 2.0, size=(10, 5)).astype(np.float32))
    init = tf.variance_scaling_initializer(seed=11)
    with tf.variable_scope("net"):
        a = tf.layers.dense(X, 7, name="a", kernel_initializer=init)
        a = tf.nn.relu(tf.layers.batch_normalization(a, training=training, momentum=0.5, name="bn_a"))
        b = tf.layers.dense(a, 2, name="b", kernel_initializer=init)
        b = tf.layers.batch_normalization(b, training=training, momentum=0.8, name="bn_b", center=False)
    return {"training": training, "loss": tf.reduce_mean(tf.square(b - 1.0))}


def _sgd(tf):
    return tf.train.GradientDescentOptimizer(0.1)


def _momentum(tf):
    return tf.train.MomentumOptimizer(0.05, momentum=0.9)


# (what, scaffold, optimizer, runs)
GRAPHS = ((N_("the book's BN network"), book_graph, _sgd, 1),
          (N_("a network with other scopes and a momentum optimizer"), scoped_graph, _momentum, 2))


def build_step(fn, workdir):
    from grader.graphs import build_op, tf
    info, blobs = {}, {}
    for g, (_, scaffold, optimizer, _) in enumerate(GRAPHS):
        info[f"g{g}"], blobs[f"g{g}"] = build_op(scaffold, lambda h: fn(optimizer(tf), h["loss"]), "bn_training_op")
    return info, blobs


def build_trained(fn, workdir):
    from grader.graphs import build_op, tf
    from .model import HYPERPARAMETERS as BOOK, scaffold
    info, blob = build_op(scaffold, lambda h: fn(tf.train.GradientDescentOptimizer(BOOK["learning_rate"]), h["loss"]),
                          "bn_training_op")
    return {"model": info}, {"model": blob}


BUILDS = {"step": build_step, "trained": build_trained}

"""The judge's training: the book's training loop, run on a verified graph with data the
student's processes never hold, and the book's code for the half of a pipeline not under test."""
from __future__ import annotations

import os

import numpy as np

from grader.graphs import Budget, SEED, fresh_graph, new_session, tf
from grader import graphs
from grader.judge.imported import run_safely

_MNIST: dict = {}


def mnist(budget: Budget):
    from grader.data import load_mnist
    key = (budget.data, budget.mnist_dir)
    if key not in _MNIST:
        _MNIST[key] = load_mnist(budget.data, budget.mnist_dir)
    return _MNIST[key]


def batches(X, y, batch_size: int, rng: np.random.RandomState):
    order = rng.permutation(len(X))
    for idx in np.array_split(order, len(X) // batch_size):
        yield X[idx], y[idx]


def fit(sess, X, y, training_op, budget: Budget, batch_size: int, train_feed=None, seed: int = SEED) -> None:
    data = mnist(budget)
    rng = np.random.RandomState(seed)
    for _ in range(budget.epochs):
        for X_batch, y_batch in batches(data.train.X, data.train.y, batch_size, rng):
            run_safely(sess, training_op, {X: X_batch, y: y_batch, **(train_feed or {})})


def held_out_accuracy(sess, X, y, accuracy, budget: Budget) -> float:
    """Accuracy on the grading split: images no student process is given to measure on."""
    data = mnist(budget)
    return float(run_safely(sess, accuracy, {X: data.test.X, y: data.test.y}))


# The book's code for the half of the layer-reuse pipeline that is not under test.
# (The judge's graphs are imported, so their variables come as a list, not from collections;
# the scope is matched from the start of each name, as tf.get_collection matches.)
def book_saver(variables, scope="hidden[123]"):
    import re
    return tf.train.Saver([v for v in variables if re.match(scope, v.op.name)])


def book_frozen_op(optimizer, loss, variables, train_scope="hidden[34]|outputs"):
    import re
    trainable = [v for v in variables if v.trainable and re.match(train_scope, v.op.name)]
    return optimizer.minimize(loss, var_list=trainable)


def pretrain(budget: Budget, path: str) -> str:
    """Train the model whose hidden layers are reused (the judge's own code) and save it."""
    with fresh_graph() as graph:
        model = graphs.pretrained_mlp()
        training_op = tf.train.GradientDescentOptimizer(0.01).minimize(model["loss"])
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
    with new_session(graph) as sess:
        sess.run(init)
        fit(sess, model["X"], model["y"], training_op, budget, batch_size=50, seed=SEED + 1)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return saver.save(sess, path)


def pretrain_deep(budget: Budget, path: str, epochs: int = 10) -> str:
    """The exercise-8 model notebook 8 reuses (the judge's own code, the book's names and settings:
    five ELU layers of 100 under dnn/, He initialisation, Adam 0.001, batches of 20, digits 0-4),
    saved with its meta graph, which the notebook imports."""
    data = mnist(budget)
    keep = data.train.y < 5
    X_train, y_train = data.train.X[keep], data.train.y[keep]
    with fresh_graph() as graph:
        X, y = graphs.inputs()
        hidden = X
        with tf.variable_scope("dnn"):
            for k in range(1, 6):
                hidden = graphs.dense(hidden, 100, f"hidden{k}", 20 + k, activation=tf.nn.elu)
        logits = graphs.dense(hidden, 5, "logits", 26)
        tf.nn.softmax(logits, name="Y_proba")
        loss, _ = graphs.loss_and_accuracy(logits, y)
        training_op = tf.train.AdamOptimizer(0.001).minimize(loss)
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
    with new_session(graph) as sess:
        sess.run(init)
        rng = np.random.RandomState(SEED + 8)
        for _ in range(epochs):
            for X_batch, y_batch in batches(X_train, y_train, 20, rng):
                sess.run(training_op, {X: X_batch, y: y_batch})
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return saver.save(sess, path)

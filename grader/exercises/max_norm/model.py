"""max_norm's training comparison: the book's max-norm MLP (chapter 11, "Max-Norm Regularization"):
300-50-10 ReLU layers, max-norm (threshold 1.0, axes 1) on both hidden layers' kernels, Momentum
optimizer; after each training step the ops of the "max_norm" collection run, as in the book. The
book's hyper-parameters, in one place; the notebook's training cell uses the same."""
HYPERPARAMETERS = {"hidden_layers": (300, 50), "threshold": 1.0, "collection": "max_norm",
                   "optimizer": "Momentum", "learning_rate": 0.01, "momentum": 0.9, "batch_size": 50}

REGULARIZED = ("hidden1/kernel", "hidden2/kernel")


def scaffold() -> dict:
    """The whole network; the builder then calls the student's regularizer on each hidden kernel, as
    tf.layers.dense(kernel_regularizer=...) does (the judge adds the optimizer)."""
    from grader import graphs
    from grader.graphs import tf
    X, y = graphs.inputs()
    hidden = X
    for i, units in enumerate(HYPERPARAMETERS["hidden_layers"], start=1):  # tf.layers' default, seeded
        hidden = tf.layers.dense(hidden, units, activation=tf.nn.relu, name=f"hidden{i}",
                                 kernel_initializer=tf.glorot_uniform_initializer(seed=i))
    logits = tf.layers.dense(hidden, 10, name="outputs", kernel_initializer=tf.glorot_uniform_initializer(seed=3))
    loss, accuracy = graphs.loss_and_accuracy(logits, y)
    return dict(X=X, y=y, loss=loss, accuracy=accuracy)

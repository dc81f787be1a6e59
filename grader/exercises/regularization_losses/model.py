"""regularization_losses's training comparison: the book's ℓ1-regularized MLP (chapter 11, "ℓ1 and ℓ2
Regularization"): 300-50-10 ReLU layers, an ℓ1 regularizer (scale 0.001) on every kernel, plain gradient
descent on the student's regularized loss. The book's hyper-parameters, in one place; the notebook's
training cell uses the same."""
HYPERPARAMETERS = {"hidden_layers": (300, 50), "l1_scale": 0.001, "optimizer": "GradientDescent",
                   "learning_rate": 0.01, "batch_size": 200}


def scaffold() -> dict:
    """The network and its base loss (the mean cross entropy); the student's function adds the
    regularization terms that the layers put in tf.GraphKeys.REGULARIZATION_LOSSES."""
    from functools import partial

    from grader import graphs
    from grader.graphs import tf
    X, y = graphs.inputs()
    dense = partial(tf.layers.dense, activation=tf.nn.relu,
                    kernel_regularizer=tf.keras.regularizers.l1(HYPERPARAMETERS["l1_scale"]))
    hidden = X
    for i, units in enumerate(HYPERPARAMETERS["hidden_layers"], start=1):  # tf.layers' default, seeded
        hidden = dense(hidden, units, name=f"hidden{i}", kernel_initializer=tf.glorot_uniform_initializer(seed=i))
    logits = dense(hidden, 10, activation=None, name="outputs", kernel_initializer=tf.glorot_uniform_initializer(seed=3))
    xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    base_loss = tf.reduce_mean(xentropy, name="avg_xentropy")
    correct = tf.nn.in_top_k(logits, y, 1)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
    return dict(X=X, y=y, base_loss=base_loss, accuracy=accuracy)

"""dropout's training comparison: the book's dropout MLP (chapter 11, "Dropout"): dropout on the inputs and
on both hidden layers' outputs (rate 0.5), 300-50-10 ReLU layers, Momentum optimizer; evaluated with
training=False. The book's hyper-parameters, in one place; the notebook's training cell uses the same."""
HYPERPARAMETERS = {"hidden_layers": (300, 50), "dropout_rate": 0.5, "optimizer": "Momentum",
                   "learning_rate": 0.01, "momentum": 0.9, "batch_size": 50}

# Where the book calls dropout: the inputs, then each hidden layer's output (name, width).
SITES = (("X", 784), ("hidden1", 300), ("hidden2", 50))


def call_sites() -> dict:
    """The scaffold the builder calls the student's dropout_layer on: one input per call site (the
    judge wires each call into the network it builds) and the `training` switch."""
    from grader.graphs import tf
    handles = {"training": tf.placeholder_with_default(False, shape=(), name="training")}
    for name, width in SITES:
        handles[name] = tf.placeholder(tf.float32, shape=(None, width), name=f"{name}_to_drop")
    return handles

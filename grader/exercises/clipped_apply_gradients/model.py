"""clipped_apply_gradients's training comparison: the book's deep ReLU MLP (chapter 11, "Gradient
Clipping"): five hidden layers, SGD. The book's hyper-parameters, in one place; the notebook's
training cell uses the same."""
HYPERPARAMETERS = {"hidden_layers": (300, 50, 50, 50, 50), "optimizer": "GradientDescent", "learning_rate": 0.01,
                   "batch_size": 50, "threshold": 1.0}


def scaffold() -> dict:
    from grader import graphs
    return graphs.clipped_mlp()

"""The layer-reuse pipeline's training comparison (chapter 11, "Reusing a TensorFlow Model" and
"Freezing the Lower Layers"): the five-hidden-layer model is pretrained by the judge; a new model
reuses its hidden1-3, adds a new hidden4 (20 units) and outputs, and trains those only. The book's
hyper-parameters, in one place; the notebook's training cell uses the same."""
HYPERPARAMETERS = {"reused_layers": "hidden[123]", "trained_layers": "hidden[34]|outputs", "new_hidden4": 20,
                   "optimizer": "GradientDescent", "learning_rate": 0.01, "batch_size": 50}


def scaffold() -> dict:
    from grader import graphs
    return graphs.reused_mlp()

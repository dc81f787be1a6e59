"""leaky_relu's training comparison: the book's MNIST MLP with the student's activation.
The book's hyper-parameters, in one place (chapter 11, "Nonsaturating Activation Functions",
on chapter 10's 300-100-10 network); the notebook's training cell uses the same."""
HYPERPARAMETERS = {"hidden_layers": (300, 100), "optimizer": "GradientDescent", "learning_rate": 0.01,
                   "batch_size": 50}

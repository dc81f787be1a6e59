# Wrong (corpus 2, written apart from the grader): relu(z) + alpha*relu(-z): sign error on negatives
def leaky_relu(z, alpha=0.01, name=None):
    return tf.add(tf.nn.relu(z), alpha * tf.nn.relu(-z), name=name)

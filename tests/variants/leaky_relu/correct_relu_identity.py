# Correct: relu identity relu(z) - alpha * relu(-z), with the final subtraction named `name`.
def leaky_relu(z, alpha=0.01, name=None):
    positive_part = tf.nn.relu(z)
    negative_part = tf.nn.relu(-z)
    return tf.subtract(positive_part, alpha * negative_part, name=name)

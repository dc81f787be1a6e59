# Correct (corpus 2, written apart from the grader): relu(z) - alpha*relu(-z) with tf.subtract named
def leaky_relu(z, alpha=0.01, name=None):
    pos = tf.nn.relu(z)
    neg = tf.nn.relu(-z)
    return tf.subtract(pos, alpha * neg, name=name)

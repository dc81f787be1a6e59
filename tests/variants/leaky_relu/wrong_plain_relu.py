# Wrong (value clause: negative inputs must give alpha*z): plain ReLU, negatives become 0.
def leaky_relu(z, alpha=0.01, name=None):
    return tf.nn.relu(z, name=name)

# Reads the wrong collection (tf.GraphKeys.LOSSES, empty here), so no regularization term is added.
def regularized_loss(base_loss):
    return tf.add_n([base_loss] + tf.get_collection(tf.GraphKeys.LOSSES))

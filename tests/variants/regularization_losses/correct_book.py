# The book's code: tf.add_n of base_loss and the REGULARIZATION_LOSSES collection.
def regularized_loss(base_loss):
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    return tf.add_n([base_loss] + reg_losses, name="loss")

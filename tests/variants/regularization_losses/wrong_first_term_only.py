# Adds only the first regularization term (and breaks on an empty collection).
def regularized_loss(base_loss):
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    return base_loss + reg_losses[0]

# Adds the mean of the regularization terms instead of their sum.
def regularized_loss(base_loss):
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    if not reg_losses:
        return base_loss
    return base_loss + tf.reduce_mean(tf.stack(reg_losses))

# Returns base_loss alone: the regularization terms never reach the loss.
def regularized_loss(base_loss):
    return tf.identity(base_loss, name="loss")

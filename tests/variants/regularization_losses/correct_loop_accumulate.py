# A loop adding each term in turn, from tf.losses.get_regularization_losses().
def regularized_loss(base_loss):
    total = base_loss
    for term in tf.losses.get_regularization_losses():
        total = total + term
    return total

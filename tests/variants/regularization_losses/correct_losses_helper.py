# tf.losses.get_regularization_loss(), the sum of the collection (0.0 when it is empty).
def regularized_loss(base_loss):
    return tf.add(base_loss, tf.losses.get_regularization_loss(), name="total_loss")

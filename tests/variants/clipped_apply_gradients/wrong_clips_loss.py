# Wrong (clause "the gradients ... each clipped"): clips the loss value instead of the gradients (zero gradient once loss > threshold).
def clipped_training_op(optimizer, loss, threshold=1.0):
    clipped_loss = tf.clip_by_value(loss, -threshold, threshold)
    return optimizer.apply_gradients(optimizer.compute_gradients(clipped_loss))

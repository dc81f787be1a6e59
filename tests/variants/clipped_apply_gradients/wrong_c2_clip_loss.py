# Wrong (corpus 2, written apart from the grader): clips the loss, not the gradients
def clipped_training_op(optimizer, loss, threshold=1.0):
    clipped_loss = tf.clip_by_value(loss, -threshold, threshold)
    return optimizer.apply_gradients(optimizer.compute_gradients(clipped_loss))

# Correct: explicit loop clipping with tf.minimum(tf.maximum(grad, -threshold), threshold).
def clipped_training_op(optimizer, loss, threshold=1.0):
    clipped = []
    for grad, var in optimizer.compute_gradients(loss):
        if grad is None:
            continue
        grad = tf.minimum(tf.maximum(grad, -threshold), threshold)
        clipped.append((grad, var))
    return optimizer.apply_gradients(clipped)

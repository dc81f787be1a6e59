# Correct (corpus 2, written apart from the grader): a helper function defined above the solution in the same cell
def _clip(grad, t):
    return tf.clip_by_value(grad, -t, t)


def clipped_training_op(optimizer, loss, threshold=1.0):
    return optimizer.apply_gradients([(_clip(g, threshold), v) for g, v in optimizer.compute_gradients(loss)])

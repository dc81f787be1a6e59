# Correct (corpus 2, written apart from the grader): explicit loop with append
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    capped = []
    for grad, var in grads_and_vars:
        capped.append((tf.clip_by_value(grad, -threshold, threshold), var))
    return optimizer.apply_gradients(capped)

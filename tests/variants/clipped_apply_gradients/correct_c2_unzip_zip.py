# Correct (corpus 2, written apart from the grader): zip(*) unzip, clip list, zip back; None-safe
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads, variables = zip(*optimizer.compute_gradients(loss))
    clipped = [None if g is None else tf.clip_by_value(g, -threshold, threshold) for g in grads]
    return optimizer.apply_gradients(list(zip(clipped, variables)), name="clipped_train")

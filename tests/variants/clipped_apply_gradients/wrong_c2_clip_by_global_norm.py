# Wrong (corpus 2, written apart from the grader): global norm clipping
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads, variables = zip(*optimizer.compute_gradients(loss))
    grads, _ = tf.clip_by_global_norm(grads, threshold)
    return optimizer.apply_gradients(zip(grads, variables))

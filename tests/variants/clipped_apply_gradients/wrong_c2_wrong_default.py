# Wrong (corpus 2, written apart from the grader): default threshold 5.0 instead of 1.0
def clipped_training_op(optimizer, loss, threshold=5.0):
    gv = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients([(tf.clip_by_value(g, -threshold, threshold), v) for g, v in gv])

# Wrong (corpus 2, written apart from the grader): ignores threshold, always 1.0
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients([(tf.clip_by_value(g, -1.0, 1.0), v) for g, v in gv])

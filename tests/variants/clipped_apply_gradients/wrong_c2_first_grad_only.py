# Wrong (corpus 2, written apart from the grader): clips only the first gradient
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    g0, v0 = gv[0]
    gv[0] = (tf.clip_by_value(g0, -threshold, threshold), v0)
    return optimizer.apply_gradients(gv)

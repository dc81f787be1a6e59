# Wrong (corpus 2, written apart from the grader): applies clipped gradients AND an unclipped minimize step
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_value(g, -threshold, threshold), v) for g, v in gv]
    return tf.group(optimizer.apply_gradients(capped), optimizer.minimize(loss))

# Correct: converts threshold to a tensor once, then clips each gradient with tf.clip_by_value in a dict-built list.
def clipped_training_op(optimizer, loss, threshold=1.0):
    gvs = optimizer.compute_gradients(loss)
    limit = tf.constant(threshold, dtype=loss.dtype, name="clip_threshold")
    by_var = {v: tf.clip_by_value(g, -limit, limit) for g, v in gvs}
    return optimizer.apply_gradients([(by_var[v], v) for _, v in gvs])

# Correct (corpus 2, written apart from the grader): tf.where nested clipping
def clipped_training_op(optimizer, loss, threshold=1.0):
    pairs = []
    for g, v in optimizer.compute_gradients(loss):
        t = tf.cast(threshold, g.dtype)
        g = tf.where(g > t, t * tf.ones_like(g), tf.where(g < -t, -t * tf.ones_like(g), g))
        pairs.append((g, v))
    return optimizer.apply_gradients(pairs)

# Correct: sign(g) * min(|g|, threshold), an equivalent formula for elementwise clipping.
def clipped_training_op(optimizer, loss, threshold=1.0):
    def clip(g):
        t = tf.cast(threshold, g.dtype)
        return tf.sign(g) * tf.minimum(tf.abs(g), t)
    return optimizer.apply_gradients(
        [(clip(g), v) for g, v in optimizer.compute_gradients(loss)])

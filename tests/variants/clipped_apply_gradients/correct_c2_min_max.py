# Correct (corpus 2, written apart from the grader): tf.minimum(tf.maximum(g, -t), t)
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients([(tf.minimum(tf.maximum(g, -threshold), threshold), v) for g, v in gv])

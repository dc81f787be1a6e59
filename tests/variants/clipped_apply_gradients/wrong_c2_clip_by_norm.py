# Wrong (corpus 2, written apart from the grader): clip_by_norm rescales, not elementwise
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients([(tf.clip_by_norm(g, threshold), v) for g, v in gv])

# Correct (corpus 2, written apart from the grader): apply_gradients(..., global_step=...) also counts steps; contract says nothing against extra variables
def clipped_training_op(optimizer, loss, threshold=1.0):
    step = tf.train.get_or_create_global_step()
    gv = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_value(g, -threshold, threshold), v) for g, v in gv]
    return optimizer.apply_gradients(capped, global_step=step)

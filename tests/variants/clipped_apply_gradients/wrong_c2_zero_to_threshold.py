# Wrong (corpus 2, written apart from the grader): clips to [0, threshold]
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients([(tf.clip_by_value(g, 0.0, threshold), v) for g, v in gv])

# Wrong (corpus 2, written apart from the grader): applies with a new GradientDescentOptimizer(0.01) instead of the given optimizer
def clipped_training_op(optimizer, loss, threshold=1.0):
    gv = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_value(g, -threshold, threshold), v) for g, v in gv]
    return tf.train.GradientDescentOptimizer(0.01).apply_gradients(capped)

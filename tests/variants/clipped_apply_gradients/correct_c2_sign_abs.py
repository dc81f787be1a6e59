# Correct (corpus 2, written apart from the grader): sign(g) * min(|g|, t)
def clipped_training_op(optimizer, loss, threshold=1.0):
    gvs = optimizer.compute_gradients(loss)
    new = [(tf.sign(g) * tf.minimum(tf.abs(g), threshold), v) for (g, v) in gvs]
    return optimizer.apply_gradients(new)

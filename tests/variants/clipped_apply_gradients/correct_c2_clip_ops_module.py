# Correct (corpus 2, written apart from the grader): tf.compat.v1.clip_by_value via tf.clip_by_value with named ops and a global_step-free apply
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    with tf.name_scope("clip"):
        capped = [(tf.compat.v1.clip_by_value(g, clip_value_min=-threshold, clip_value_max=threshold), v)
                  for g, v in grads_and_vars if g is not None]
    return optimizer.apply_gradients(capped)

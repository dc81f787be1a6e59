# Wrong (clause "each clipped elementwise to [-threshold, threshold]"): tf.clip_by_norm rescales each whole gradient tensor by its L2 norm.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_norm(grad, threshold), var) for grad, var in grads_and_vars]
    return optimizer.apply_gradients(capped)

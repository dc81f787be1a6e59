# Wrong (clause "clipped to [-threshold, threshold]"): clips to [0, threshold], so negative gradients are zeroed.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_value(grad, 0.0, threshold), var) for grad, var in grads_and_vars]
    return optimizer.apply_gradients(capped)

# Wrong (clause "[-threshold, threshold]"): ignores the threshold argument and always clips to [-1, 1].
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    capped = [(tf.clip_by_value(grad, -1.0, 1.0), var) for grad, var in grads_and_vars]
    return optimizer.apply_gradients(capped)

# Wrong (clause "applies, with optimizer.apply_gradients, the clipped gradients"): builds clipped grads, then returns minimize(loss), which ignores them.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    capped_gvs = [(tf.clip_by_value(grad, -threshold, threshold), var)
                  for grad, var in grads_and_vars]
    training_op = optimizer.minimize(loss)
    return training_op

# Wrong (clause "the gradients ... each clipped"): applies raw gradients, then clips the variables (weights) instead.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    step = optimizer.apply_gradients(grads_and_vars)
    with tf.control_dependencies([step]):
        clip_weights = [tf.assign(var, tf.clip_by_value(var, -threshold, threshold))
                        for _, var in grads_and_vars]
    return tf.group(*clip_weights)

# Correct: compute_gradients, then apply_gradients under control_dependencies of the update ops.
def bn_training_op(optimizer, loss):
    grads_and_vars = optimizer.compute_gradients(loss)
    update_ops = tf.get_default_graph().get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return optimizer.apply_gradients(grads_and_vars)

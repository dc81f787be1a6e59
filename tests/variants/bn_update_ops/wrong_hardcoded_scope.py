# Wrong (clause "every op in UPDATE_OPS of the current graph"): filters UPDATE_OPS by the default layer name "batch_normalization", missing layers named otherwise.
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="batch_normalization")
    with tf.control_dependencies(update_ops):
        return optimizer.minimize(loss)

# Wrong (clause "every op in UPDATE_OPS"): depends only on the first update op (UPDATE_OPS[0:1]).
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)[0:1]
    with tf.control_dependencies(update_ops):
        return optimizer.minimize(loss)

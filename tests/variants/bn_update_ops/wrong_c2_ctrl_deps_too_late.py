# Wrong (corpus 2, written apart from the grader): minimize created BEFORE the control_dependencies block: no dependency
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train = optimizer.minimize(loss)
    with tf.control_dependencies(update_ops):
        return train

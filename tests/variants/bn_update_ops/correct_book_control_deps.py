# Correct: the book's idiom, minimize(loss) created inside tf.control_dependencies(UPDATE_OPS).
def bn_training_op(optimizer, loss):
    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(extra_update_ops):
        training_op = optimizer.minimize(loss)
    return training_op

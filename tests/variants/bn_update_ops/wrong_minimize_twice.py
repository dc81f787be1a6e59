# Wrong (clause "one optimizer step"): calls minimize twice, so each run applies two gradient steps.
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        first_step = optimizer.minimize(loss)
    with tf.control_dependencies([first_step]):
        second_step = optimizer.minimize(loss)
    return second_step

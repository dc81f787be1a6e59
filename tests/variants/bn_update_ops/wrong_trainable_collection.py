# Wrong (clause "runs every op in UPDATE_OPS"): uses TRAINABLE_VARIABLES instead of UPDATE_OPS as the dependencies.
def bn_training_op(optimizer, loss):
    extra_ops = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
    with tf.control_dependencies(extra_ops):
        training_op = optimizer.minimize(loss)
    return training_op

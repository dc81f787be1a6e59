# Correct (corpus 2, written apart from the grader): collection looked up by its string name 'update_ops' (== tf.GraphKeys.UPDATE_OPS)
def bn_training_op(optimizer, loss):
    ops = tf.compat.v1.get_collection("update_ops")
    with tf.control_dependencies(ops):
        return optimizer.minimize(loss)

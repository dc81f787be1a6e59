# Wrong (corpus 2, written apart from the grader): only the first update op (first layer's moving mean)
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops[:1]):
        return optimizer.minimize(loss)

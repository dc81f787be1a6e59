# Wrong (corpus 2, written apart from the grader): filters UPDATE_OPS with scope='dnn' (works for the notebook only)
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope="dnn")
    with tf.control_dependencies(update_ops):
        return optimizer.minimize(loss)

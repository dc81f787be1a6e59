# Wrong (corpus 2, written apart from the grader): collection read at definition time (empty), not inside the function
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

def bn_training_op(optimizer, loss):
    with tf.control_dependencies(update_ops):
        return optimizer.minimize(loss)

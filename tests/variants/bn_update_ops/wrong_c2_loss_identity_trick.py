# Wrong (corpus 2, written apart from the grader): control deps on tf.identity(loss): gradient graph may not depend on the identity => update ops may never run (verify)
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        loss = tf.identity(loss)
    return optimizer.minimize(loss)

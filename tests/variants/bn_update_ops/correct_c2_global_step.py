# Correct (corpus 2, written apart from the grader): also increments a global_step (book style minimize(loss, global_step=...)); contract says nothing against extra variables
def bn_training_op(optimizer, loss):
    global_step = tf.train.get_or_create_global_step()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return optimizer.minimize(loss, global_step=global_step)

# Correct (corpus 2, written apart from the grader): tf.group(minimize, *update_ops)
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return tf.group(optimizer.minimize(loss), *update_ops)

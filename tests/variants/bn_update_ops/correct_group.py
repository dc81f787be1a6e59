# Correct: tf.group of the optimizer step and every update op (one op that runs them all).
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return tf.group(optimizer.minimize(loss), *update_ops, name="bn_training_op")

# Correct (corpus 2, written apart from the grader): tf.group with a nested list (group flattens)
def bn_training_op(optimizer, loss):
    train = optimizer.minimize(loss)
    return tf.group([train, tf.get_collection(tf.GraphKeys.UPDATE_OPS)])

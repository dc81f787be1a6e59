# Wrong (corpus 2, written apart from the grader): returns a list [train_op] + update_ops, not one op
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return [optimizer.minimize(loss)] + update_ops

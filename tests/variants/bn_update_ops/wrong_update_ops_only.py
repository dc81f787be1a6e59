# Wrong (clause "performs one optimizer step"): groups the update ops only, the weights are never trained.
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return tf.group(*update_ops)

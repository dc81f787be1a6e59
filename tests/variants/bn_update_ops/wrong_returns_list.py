# Wrong (clause "returns one op"): returns a Python list [minimize op] + update ops instead of a single op.
def bn_training_op(optimizer, loss):
    return [optimizer.minimize(loss)] + tf.get_collection(tf.GraphKeys.UPDATE_OPS)

# Wrong (corpus 2, written apart from the grader): runs the update ops but no optimizer step
def bn_training_op(optimizer, loss):
    return tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS))

# Correct (corpus 2, written apart from the grader): tf.no_op with control deps on step and updates
def bn_training_op(optimizer, loss):
    step = optimizer.minimize(loss)
    deps = [step] + list(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    with tf.control_dependencies(deps):
        train = tf.no_op(name="train_with_bn")
    return train

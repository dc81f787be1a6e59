# Correct (corpus 2, written apart from the grader): update ops made to depend on the step, then grouped (update ops use this run's batch statistics)
def bn_training_op(optimizer, loss):
    step = optimizer.minimize(loss)
    with tf.control_dependencies([step]):
        return tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS))

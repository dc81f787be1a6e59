# Wrong (corpus 2, written apart from the grader): two optimizer steps per run
def bn_training_op(optimizer, loss):
    plain = optimizer.minimize(loss)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        with_bn = optimizer.minimize(loss)
    return tf.group(plain, with_bn)

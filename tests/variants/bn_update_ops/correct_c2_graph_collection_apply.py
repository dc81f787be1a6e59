# Correct (corpus 2, written apart from the grader): graph.get_collection + compute/apply_gradients inside control_dependencies
def bn_training_op(optimizer, loss):
    graph = tf.get_default_graph()
    update_ops = graph.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        grads_and_vars = optimizer.compute_gradients(loss)
        train = optimizer.apply_gradients(grads_and_vars)
    return train

# Correct (corpus 2, written apart from the grader): collection taken from loss.graph; tf.tuple-free group of apply + updates
def bn_training_op(optimizer, loss):
    updates = loss.graph.get_collection(tf.GraphKeys.UPDATE_OPS)
    gvs = optimizer.compute_gradients(loss)
    return tf.group(optimizer.apply_gradients(gvs), *updates, name="bn_train")

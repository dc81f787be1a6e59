# Correct: a tf.no_op that control-depends on the minimize op and on every update op.
def bn_training_op(optimizer, loss):
    step = optimizer.minimize(loss)
    deps = [step]
    for op in loss.graph.get_collection(tf.GraphKeys.UPDATE_OPS):
        deps.append(op)
    with tf.control_dependencies(deps):
        return tf.no_op(name="train")

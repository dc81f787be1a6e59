# Wrong (clause "runs every op in UPDATE_OPS"): slim-style tf.identity(loss) under control_dependencies, but minimize never evaluates the loss value (its gradient graph starts from a constant-shape ones tensor), so the update ops never run.
def bn_training_op(optimizer, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    if update_ops:
        with tf.control_dependencies(update_ops):
            loss = tf.identity(loss, name="loss_with_updates")
    return optimizer.minimize(loss)

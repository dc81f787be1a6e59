# Wrong (clause "only the trainable variables"): GLOBAL_VARIABLES also hands non-trainable ones (batch-norm moving stats) to the optimizer.
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=train_scope)
    return optimizer.minimize(loss, var_list=train_vars)

# Wrong (corpus 2, written apart from the grader): hard-codes the default scope
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden[34]|outputs")
    return optimizer.minimize(loss, var_list=train_vars)

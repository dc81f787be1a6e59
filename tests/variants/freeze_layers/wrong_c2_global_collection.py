# Wrong (corpus 2, written apart from the grader): GLOBAL_VARIABLES with scope: non-trainable variables in scope may be updated
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=train_scope)
    return optimizer.minimize(loss, var_list=train_vars)

# Wrong (clause "match train_scope"): ignores the train_scope argument, always "hidden[34]|outputs".
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="hidden[34]|outputs")
    return optimizer.minimize(loss, var_list=train_vars)

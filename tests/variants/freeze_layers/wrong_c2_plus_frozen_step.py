# Wrong (corpus 2, written apart from the grader): var_list right, but also groups an extra unrestricted minimize
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=train_scope)
    return tf.group(optimizer.minimize(loss, var_list=train_vars), optimizer.minimize(loss))

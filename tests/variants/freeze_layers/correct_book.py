# Correct: the book's idiom, TRAINABLE_VARIABLES filtered by scope passed as minimize(var_list=...).
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=train_scope)
    training_op = optimizer.minimize(loss, var_list=train_vars)
    return training_op

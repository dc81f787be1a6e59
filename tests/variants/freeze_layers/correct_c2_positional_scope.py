# Correct (corpus 2, written apart from the grader): tf.compat.v1.get_collection positional scope; minimize with name
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    variables = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, train_scope)
    return optimizer.minimize(loss, var_list=variables, name="frozen_train")

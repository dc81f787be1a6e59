# Correct (corpus 2, written apart from the grader): compute_gradients(var_list=...) + apply_gradients
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=train_scope)
    grads_and_vars = optimizer.compute_gradients(loss, var_list=train_vars)
    return optimizer.apply_gradients(grads_and_vars)

# Correct: compute_gradients restricted to the scope's trainable variables, then apply_gradients.
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.trainable_variables(scope=train_scope)
    grads_and_vars = optimizer.compute_gradients(loss, var_list=train_vars)
    return optimizer.apply_gradients(grads_and_vars, name="frozen_training_op")

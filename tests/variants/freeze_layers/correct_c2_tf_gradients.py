# Correct (corpus 2, written apart from the grader): tf.gradients(gate_gradients=True) over tf.trainable_variables(scope=...)
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.trainable_variables(scope=train_scope)
    grads = tf.gradients(loss, train_vars, gate_gradients=True)
    return optimizer.apply_gradients(zip(grads, train_vars))

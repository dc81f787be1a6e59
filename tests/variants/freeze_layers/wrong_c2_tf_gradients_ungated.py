# Wrong (corpus 2, written apart from the grader): AMBIGUOUS/informational: tf.gradients without gating; ref-variable updates race with backprop reads, so lower trained layers get gradients computed with already-updated upper weights (differs from minimize)
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = tf.trainable_variables(scope=train_scope)
    grads = tf.gradients(loss, train_vars)
    return optimizer.apply_gradients(zip(grads, train_vars))

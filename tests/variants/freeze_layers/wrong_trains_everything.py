# Wrong (clause "updating only the trainable variables whose names match train_scope"): ignores train_scope, trains every variable.
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    return optimizer.minimize(loss)

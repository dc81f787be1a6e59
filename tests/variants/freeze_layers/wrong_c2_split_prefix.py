# Wrong (corpus 2, written apart from the grader): splits on '|' and checks a literal prefix: [34] class never matches
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    prefixes = train_scope.split("|")
    train_vars = [v for v in tf.trainable_variables() if any(v.name.startswith(p) for p in prefixes)]
    return optimizer.minimize(loss, var_list=train_vars)

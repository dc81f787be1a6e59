# Wrong (corpus 2, written apart from the grader): trains the variables that do NOT match
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = [v for v in tf.trainable_variables() if not re.match(train_scope, v.name)]
    return optimizer.minimize(loss, var_list=train_vars)

# Wrong (corpus 2, written apart from the grader): re.search: also trains aux_outputs etc.
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = [v for v in tf.trainable_variables() if re.search(train_scope, v.name)]
    return optimizer.minimize(loss, var_list=train_vars)

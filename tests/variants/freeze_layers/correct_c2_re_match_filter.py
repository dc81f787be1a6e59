# Correct (corpus 2, written apart from the grader): filters tf.trainable_variables() with re.match
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = [v for v in tf.trainable_variables() if re.match(train_scope, v.name)]
    return optimizer.minimize(loss, var_list=train_vars)

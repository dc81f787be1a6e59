# Correct (corpus 2, written apart from the grader): re.match written as re.search anchored with ^ (equivalent to match semantics)
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    train_vars = [v for v in tf.trainable_variables() if re.search("^(?:" + train_scope + ")", v.name)]
    return optimizer.minimize(loss, var_list=train_vars)

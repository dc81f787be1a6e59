# Correct: var_list computed from tf.trainable_variables() with re.match (the same rule get_collection uses).
import re


def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    pattern = re.compile(train_scope)
    var_list = [v for v in tf.trainable_variables() if pattern.match(v.name)]
    return optimizer.minimize(loss, var_list=var_list)

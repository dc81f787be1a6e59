# Wrong (clause "names match train_scope", get_collection's re.match semantics): re.search also trains layers with the pattern mid-name.
import re


def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    var_list = [v for v in tf.trainable_variables() if re.search(train_scope, v.name)]
    return optimizer.minimize(loss, var_list=var_list)

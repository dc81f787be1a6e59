# Wrong (clause "updating only the trainable variables whose names match"): inverted, trains the non-matching (frozen) layers.
import re


def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    frozen = [v for v in tf.trainable_variables() if not re.match(train_scope, v.name)]
    return optimizer.minimize(loss, var_list=frozen)

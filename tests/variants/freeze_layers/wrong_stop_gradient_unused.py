# Wrong (clause "every other variable is unchanged"): tf.stop_gradient on the frozen variables builds unused tensors; minimize still trains all.
import re


def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    for var in tf.trainable_variables():
        if not re.match(train_scope, var.name):
            tf.stop_gradient(var)
    return optimizer.minimize(loss)

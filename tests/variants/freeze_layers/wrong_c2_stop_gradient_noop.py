# Wrong (corpus 2, written apart from the grader): tf.stop_gradient on frozen variables, result unused: trains everything
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    for v in tf.trainable_variables():
        if not re.match(train_scope, v.name):
            tf.stop_gradient(v)
    return optimizer.minimize(loss)

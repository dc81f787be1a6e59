# Wrong (corpus 2, written apart from the grader): re.match('(' + scope + ')/'): misses trainable variables whose layer name merely starts with a match
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    rx = re.compile("(?:" + train_scope + ")/")
    return optimizer.minimize(loss, var_list=[v for v in tf.trainable_variables() if rx.match(v.name)])

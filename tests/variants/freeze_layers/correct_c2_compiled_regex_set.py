# Correct (corpus 2, written apart from the grader): precompiled regex; trainable set intersect global
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    rx = re.compile(train_scope)
    trainable = set(tf.trainable_variables())
    var_list = [v for v in tf.global_variables() if v in trainable and rx.match(v.name)]
    return optimizer.minimize(loss, var_list=var_list)

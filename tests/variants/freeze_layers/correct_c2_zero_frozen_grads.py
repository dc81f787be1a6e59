# Correct (corpus 2, written apart from the grader): all gradients computed; frozen ones replaced by zeros: with SGD/Momentum/Adam the frozen variables do not move
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    gv = optimizer.compute_gradients(loss)
    gv = [(g if re.match(train_scope, v.name) else tf.zeros_like(g), v) for g, v in gv if g is not None]
    return optimizer.apply_gradients(gv)

# Wrong (corpus 2, written apart from the grader): frozen gradients scaled by 0.1 instead of 0 (still move)
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    gv = optimizer.compute_gradients(loss)
    gv = [(g if re.match(train_scope, v.name) else 0.1 * g, v) for g, v in gv]
    return optimizer.apply_gradients(gv)

# Correct (corpus 2, written apart from the grader): compute all gradients, keep only pairs whose var matches
import re

def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    pairs = optimizer.compute_gradients(loss)
    keep = [(g, v) for g, v in pairs if g is not None and re.match(train_scope, v.op.name)]
    return optimizer.apply_gradients(keep)

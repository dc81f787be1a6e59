# Correct: computes gradients for all trainable variables, then keeps only pairs whose variable name re.match-es the scope.
import re


def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    grads_and_vars = optimizer.compute_gradients(loss)
    kept = [(g, v) for g, v in grads_and_vars
            if g is not None and re.match(train_scope, v.name) is not None]
    return optimizer.apply_gradients(kept)

# Wrong (corpus 2, written apart from the grader): plain minimize
def bn_training_op(optimizer, loss):
    return optimizer.minimize(loss)

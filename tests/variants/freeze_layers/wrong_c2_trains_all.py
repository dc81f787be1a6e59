# Wrong (corpus 2, written apart from the grader): minimize with no var_list
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    return optimizer.minimize(loss)

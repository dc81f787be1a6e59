# Wrong (clause "runs every op in UPDATE_OPS"): plain optimizer.minimize, moving mean/variance never updated.
def bn_training_op(optimizer, loss):
    return optimizer.minimize(loss)

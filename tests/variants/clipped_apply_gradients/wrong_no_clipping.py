# Wrong (clause "each clipped elementwise"): computes and applies the gradients without any clipping.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients(grads_and_vars)

# Wrong (corpus 2, written apart from the grader): no clipping at all
def clipped_training_op(optimizer, loss, threshold=1.0):
    return optimizer.minimize(loss)

# Correct: unzips grads and vars, clips with keyword args, re-zips into apply_gradients.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads_and_vars = [(g, v) for g, v in optimizer.compute_gradients(loss) if g is not None]
    grads, variables = zip(*grads_and_vars)
    clipped_grads = [tf.clip_by_value(g, clip_value_min=-threshold, clip_value_max=threshold)
                     for g in grads]
    return optimizer.apply_gradients(list(zip(clipped_grads, variables)), name="clipped_step")

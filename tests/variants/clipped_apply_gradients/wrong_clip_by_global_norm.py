# Wrong (clause "clipped elementwise"): tf.clip_by_global_norm rescales all gradients jointly by their global norm.
def clipped_training_op(optimizer, loss, threshold=1.0):
    grads, variables = zip(*optimizer.compute_gradients(loss))
    clipped, _ = tf.clip_by_global_norm(grads, threshold)
    return optimizer.apply_gradients(zip(clipped, variables))

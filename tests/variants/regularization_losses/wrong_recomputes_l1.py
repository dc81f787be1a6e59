# Recomputes an l1 penalty (scale 0.001) of every trainable kernel instead of reading the collection.
def regularized_loss(base_loss):
    kernels = [v for v in tf.trainable_variables() if "kernel" in v.name]
    return base_loss + tf.add_n([0.001 * tf.reduce_sum(tf.abs(k)) for k in kernels])

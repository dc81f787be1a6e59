# Wrong (clause "exactly the global variables"): TRAINABLE_VARIABLES misses non-trainable ones (batch-norm moving stats) in the scope.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

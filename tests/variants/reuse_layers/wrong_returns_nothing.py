# Wrong (clause "returns the list of restored variables"): restores correctly but returns None.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    restore_saver = tf.train.Saver(reuse_vars)
    restore_saver.restore(sess, checkpoint_path)

# Wrong (clause "names match the regular expression `scope`"): ignores the scope argument, always "hidden[123]".
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="hidden[123]")
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

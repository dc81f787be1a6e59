# Correct (corpus 2, written apart from the grader): Saver with a dict {op.name: var}
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    reuse_vars_dict = {var.op.name: var for var in reuse_vars}
    restore_saver = tf.train.Saver(reuse_vars_dict)
    restore_saver.restore(sess, checkpoint_path)
    return reuse_vars

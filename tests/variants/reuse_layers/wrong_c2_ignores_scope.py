# Wrong (corpus 2, written apart from the grader): hard-codes the default scope
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="hidden[123]")
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

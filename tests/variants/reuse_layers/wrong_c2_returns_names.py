# Wrong (corpus 2, written apart from the grader): returns the variable names (strings), not the variables
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return [v.op.name for v in reuse_vars]

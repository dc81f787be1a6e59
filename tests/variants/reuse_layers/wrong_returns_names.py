# Wrong (clause "returns the list of restored variables"): returns the variables' names (strings), not the variables.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return [var.op.name for var in reuse_vars]

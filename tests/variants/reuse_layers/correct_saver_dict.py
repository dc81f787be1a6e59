# Correct: Saver with an explicit {checkpoint name: variable} dict built from the scope-filtered global variables.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    reuse_vars_dict = dict([(var.op.name, var) for var in reuse_vars])
    tf.train.Saver(reuse_vars_dict).restore(sess, checkpoint_path)
    return reuse_vars

# Wrong (corpus 2, written apart from the grader): re-runs the global initializer before restoring: other variables change
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    sess.run(tf.global_variables_initializer())
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

# Wrong (clauses "restores ..." and "leaves every other variable as it was"): re-runs global_variables_initializer after restoring.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    sess.run(tf.global_variables_initializer())
    return reuse_vars

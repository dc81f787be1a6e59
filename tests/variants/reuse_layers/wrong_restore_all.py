# Wrong (clause "leaves every other variable as it was"): plain tf.train.Saver() restores every variable.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    saver = tf.train.Saver()
    saver.restore(sess, checkpoint_path)
    return reuse_vars

# Correct: the book's idiom, GLOBAL_VARIABLES filtered by scope, restored with a dedicated Saver(var_list).
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    restore_saver = tf.train.Saver(reuse_vars)
    restore_saver.restore(sess, checkpoint_path)
    return reuse_vars

# Wrong (corpus 2, written apart from the grader): restores correctly but returns nothing
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)

# Wrong (corpus 2, written apart from the grader): returns the Saver instead of the list
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    saver = tf.train.Saver(tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope))
    saver.restore(sess, checkpoint_path)
    return saver

# Correct (corpus 2, written apart from the grader): restores the right set; returns it sorted by name (order not specified by contract)
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    to_restore = sorted(tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope), key=lambda v: v.name)
    saver = tf.train.Saver(to_restore)
    saver.restore(sess, checkpoint_path)
    return to_restore

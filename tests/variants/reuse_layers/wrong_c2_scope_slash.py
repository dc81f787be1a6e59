# Wrong (corpus 2, written apart from the grader): appends '/' to the scope: misses variables whose layer name only starts with a match (e.g. 'hidden1x/w' or 'base/layer_a_copy/...') that tf.get_collection(scope=...) includes
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope + "/")
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

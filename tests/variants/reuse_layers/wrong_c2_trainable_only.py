# Wrong (corpus 2, written apart from the grader): uses TRAINABLE_VARIABLES: batch-norm moving statistics in scope are not restored
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope)
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

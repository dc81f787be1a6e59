# Wrong (corpus 2, written apart from the grader): restores every variable (new layers too)
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    saver = tf.train.Saver()
    saver.restore(sess, checkpoint_path)
    return tf.global_variables()

# Correct (corpus 2, written apart from the grader): NewCheckpointReader + tf.assign ops run in one sess.run
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reader = tf.train.NewCheckpointReader(checkpoint_path)
    variables = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope)
    sess.run([tf.assign(v, reader.get_tensor(v.op.name)) for v in variables])
    return variables

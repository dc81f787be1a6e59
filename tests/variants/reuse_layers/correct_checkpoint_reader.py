# Correct: reads the checkpoint with tf.train.load_checkpoint and loads each matching variable's value by hand.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reader = tf.train.load_checkpoint(checkpoint_path)
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    for var in reuse_vars:
        var.load(reader.get_tensor(var.op.name), session=sess)
    return reuse_vars

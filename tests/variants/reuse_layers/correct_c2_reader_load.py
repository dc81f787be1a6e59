# Correct (corpus 2, written apart from the grader): reads the checkpoint with tf.train.load_checkpoint and v.load()
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reader = tf.train.load_checkpoint(checkpoint_path)
    restored = []
    for v in tf.global_variables(scope=scope):
        v.load(reader.get_tensor(v.op.name), sess)
        restored.append(v)
    return restored

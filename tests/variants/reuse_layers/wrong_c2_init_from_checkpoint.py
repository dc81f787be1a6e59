# Wrong (corpus 2, written apart from the grader): tf.train.init_from_checkpoint only changes initializers: nothing restored in the already-initialized session
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope)
    tf.train.init_from_checkpoint(checkpoint_path, {v.op.name: v for v in reuse_vars})
    return reuse_vars

# Wrong (corpus 2, written apart from the grader): treats scope as a literal prefix: nothing restored for a regex scope
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = [v for v in tf.global_variables() if v.name.startswith(scope)]
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path) if reuse_vars else None
    return reuse_vars

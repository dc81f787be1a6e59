# Wrong (corpus 2, written apart from the grader): re.search semantics (matches anywhere in the name) instead of match-from-start
import re

def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = [v for v in tf.global_variables() if re.search(scope, v.name)]
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

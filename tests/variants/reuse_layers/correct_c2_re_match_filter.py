# Correct (corpus 2, written apart from the grader): filters tf.global_variables() with re.match
import re

def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = [v for v in tf.global_variables() if re.match(scope, v.name)]
    tf.train.Saver(var_list=reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

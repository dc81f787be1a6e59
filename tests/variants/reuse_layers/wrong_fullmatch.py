# Wrong (clause "match as tf.get_collection matches", a prefix re.match): re.fullmatch against full names matches nothing, so nothing is restored.
import re


def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = [v for v in tf.global_variables() if re.fullmatch(scope, v.op.name)]
    if reuse_vars:
        tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

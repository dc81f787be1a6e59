# Wrong (clause "match as tf.get_collection(..., scope=scope) matches", i.e. re.match): re.search also matches names in the middle.
import re


def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    reuse_vars = [v for v in tf.global_variables() if re.search(scope, v.name)]
    tf.train.Saver(reuse_vars).restore(sess, checkpoint_path)
    return reuse_vars

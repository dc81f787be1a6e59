# Correct (corpus 2, written apart from the grader): tf.compat.v1 spelled; re.match on v.op.name; list(...)
import re
import tensorflow as tf2

def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    v1 = tf2.compat.v1
    pattern = re.compile(scope)
    chosen = list(filter(lambda v: pattern.match(v.op.name), v1.global_variables()))
    v1.train.Saver(chosen).restore(sess, checkpoint_path)
    return chosen

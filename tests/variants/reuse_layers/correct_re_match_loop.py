# Correct: loops over tf.global_variables() keeping names that re.match the scope (get_collection's own rule).
import re


def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    restored = []
    for var in tf.global_variables():
        if re.match(scope, var.name):
            restored.append(var)
    saver = tf.train.Saver(var_list=restored)
    saver.restore(sess, checkpoint_path)
    return restored

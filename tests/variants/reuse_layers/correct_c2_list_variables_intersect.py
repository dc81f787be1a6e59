# Correct (corpus 2, written apart from the grader): checkpoint keys from tf.train.list_variables; restores graph variables matching scope (all are in the checkpoint)
import re

def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    in_ckpt = {name for name, _ in tf.train.list_variables(checkpoint_path)}
    chosen = [v for v in tf.global_variables() if re.match(scope, v.op.name)]
    missing = [v.op.name for v in chosen if v.op.name not in in_ckpt]
    assert not missing, missing
    saver = tf.train.Saver({v.op.name: v for v in chosen})
    saver.restore(sess, checkpoint_path)
    return chosen

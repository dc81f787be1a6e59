"""`reuse_layers`, public self-check (shipped to students; runs in their kernel): `grader.check("reuse_layers")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import os
import tempfile

from grader.selfcheck import Failed, expect_close, tensorflow

ID = "reuse_layers"
NOTEBOOK = "04_layer_reuse"
FUNCTION = "restore_reused_layers"
SIGNATURE = 'restore_reused_layers(sess, checkpoint_path, scope="hidden[123]")'
POSITION = 0  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    path = os.path.join(tempfile.mkdtemp(prefix="selfcheck-"), "model.ckpt")
    with tf.Graph().as_default() as graph:
        tf.Variable([1.0, 2.0], name="hidden1/w")
        tf.Variable([3.0], name="hidden4/w")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path)
    with tf.Graph().as_default() as graph:
        a = tf.Variable([0.0, 0.0], name="hidden1/w")
        b = tf.Variable([0.0], name="hidden4/w")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            returned = fn(sess, path, scope="hidden[123]")
            got_a, got_b = sess.run([a, b])
    expect_close("hidden1/w (matches the scope: restored from the checkpoint)", got_a, [1.0, 2.0])
    expect_close("hidden4/w (does not match the scope: left as it was)", got_b, [0.0])
    names = sorted(v.op.name for v in returned) if isinstance(returned, (list, tuple)) else returned
    if names != ["hidden1/w"]:
        raise Failed(f"returned {names!r}; expected the list of restored variables [hidden1/w]")
    return ["restores the variables the scope matches, leaves the others, returns the restored list"]

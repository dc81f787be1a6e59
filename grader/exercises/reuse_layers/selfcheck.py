"""`reuse_layers`, public self-check (shipped to students; runs in their kernel): `grader.check("reuse_layers")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import os
import tempfile

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import N_, _

ID = "reuse_layers"
NOTEBOOK = "04_layer_reuse"
FUNCTION = "restore_reused_layers"
SIGNATURE = 'restore_reused_layers(sess, checkpoint_path, scope="hidden[123]")'
POSITION = 0  # its place among the exercises of its notebook

SCOPE = "hidden[12]"  # not the default: the function must use its `scope` argument
SAVED = {"hidden1/w": [1.0, 2.0], "hidden2/w": [3.0], "hidden3/w": [4.0], "aux/hidden2/w": [5.0]}
HINT = N_("restore only tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=scope), with a tf.train.Saver "
        "made on that list")


def check(fn) -> list[str]:
    tf = tensorflow()
    path = os.path.join(tempfile.mkdtemp(prefix="selfcheck-"), "model.ckpt")
    with tf.Graph().as_default() as graph:
        for name, value in SAVED.items():
            tf.Variable(value, name=name)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path)
    with tf.Graph().as_default() as graph:
        variables = {name: tf.Variable([0.0] * len(value), name=name) for name, value in SAVED.items()}
        tf.Variable([0.0], name="new_layer/w")  # not in the checkpoint, as the new hidden4 and outputs of part (b)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            try:
                returned = fn(sess, path, scope=SCOPE)
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
                raise Failed(_("with scope={scope}, restoring raised {error}: the graph has a variable new_layer/w "
                               "that is not in the checkpoint (as the new hidden4 and outputs of part (b)), so "
                               "restoring every variable fails; {hint}")
                             .format(scope=repr(SCOPE), error=type(error).__name__, hint=_(HINT))) from None
            got = dict(zip(variables, sess.run(list(variables.values()))))
    for name in ("hidden1/w", "hidden2/w"):
        expect_close(_("{name} with scope={scope} (the scope matches it: restored from the checkpoint)")
                     .format(name=name, scope=repr(SCOPE)), got[name], SAVED[name])
    if got["hidden3/w"][0] != 0.0:
        raise Failed(_("hidden3/w was restored although scope={scope} does not match it: use the function's "
                       "`scope` argument, not the default 'hidden[123]'").format(scope=repr(SCOPE)))
    if got["aux/hidden2/w"][0] != 0.0:
        raise Failed(_("aux/hidden2/w was restored with scope={scope}: the scope is matched from the START of each "
                       "variable name (re.match, as tf.get_collection(..., scope=scope) does), and 'aux/hidden2/w' "
                       "does not start with hidden1 or hidden2 (re.search would find 'hidden2' in its middle); {hint}")
                     .format(scope=repr(SCOPE), hint=_(HINT)))
    names = sorted(v.op.name for v in returned) if isinstance(returned, (list, tuple)) else returned
    if names != ["hidden1/w", "hidden2/w"]:
        raise Failed(_("returned {names}; expected the list of restored variables, [hidden1/w, hidden2/w]")
                     .format(names=repr(names)))
    return [_("with scope={scope}: restores hidden1/w and hidden2/w, leaves hidden3/w and aux/hidden2/w (the scope "
              "matches from the start of each name), returns the restored list").format(scope=repr(SCOPE))]

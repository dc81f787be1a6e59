"""`freeze_layers`, public self-check (shipped to students; runs in their kernel): `grader.check("freeze_layers")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import N_, _

ID = "freeze_layers"
NOTEBOOK = "04_layer_reuse"
FUNCTION = "frozen_training_op"
SIGNATURE = 'frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs")'
POSITION = 1  # its place among the exercises of its notebook

SCOPE = "hidden3|outputs"  # not the default: the function must use its `train_scope` argument
NAMES = ("hidden1/w", "hidden3/w", "hidden4/w", "outputs/w", "aux/outputs/w")
HINT = N_("minimize with var_list=tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=train_scope)")


def check(fn) -> list[str]:
    tf = tensorflow()
    with tf.Graph().as_default() as graph:
        variables = {name: tf.Variable(1.0, name=name) for name in NAMES}
        product = tf.reduce_prod(tf.stack(list(variables.values())))
        op = fn(tf.train.GradientDescentOptimizer(0.1), tf.square(product - 3.0), train_scope=SCOPE)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op)
            got = dict(zip(NAMES, sess.run(list(variables.values()))))
    changed = lambda name: _("{name} changed to {value} with train_scope={scope}").format(  # noqa: E731
        name=name, value=f"{got[name]:.4g}", scope=repr(SCOPE))
    if got["hidden1/w"] != 1.0:
        raise Failed(_("{changed}: the scope does not match it, so it must stay frozen; {hint}")
                     .format(changed=changed("hidden1/w"), hint=_(HINT)))
    if got["hidden4/w"] != 1.0:
        raise Failed(_("{changed}: the scope does not match it; use the function's `train_scope` argument, not the "
                       "default 'hidden[34]|outputs'").format(changed=changed("hidden4/w")))
    if got["aux/outputs/w"] != 1.0:
        raise Failed(_("{changed}: the scope is matched from the START of each variable name (re.match, as "
                       "tf.get_collection(..., scope=train_scope) does), and 'aux/outputs/w' does not start with "
                       "hidden3 or outputs (re.search would find 'outputs' in its middle); {hint}")
                     .format(changed=changed("aux/outputs/w"), hint=_(HINT)))
    for name in ("hidden3/w", "outputs/w"):
        expect_close(_("{name} after one step of SGD(0.1) (gradient -4; the scope matches it: trained)")
                     .format(name=name), got[name], 1.4)
    return [_("with train_scope={scope}: trains hidden3/w and outputs/w only (not aux/outputs/w: the scope "
              "matches from the start of each name)").format(scope=repr(SCOPE))]

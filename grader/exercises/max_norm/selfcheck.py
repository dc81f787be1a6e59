"""`max_norm`, public self-check (shipped to students; runs in their kernel): `grader.check("max_norm")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "max_norm"
NOTEBOOK = "06_regularization"
FUNCTION = "max_norm_regularizer"
SIGNATURE = 'max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm")'
POSITION = 2  # its place among the exercises of its notebook

W = np.array([[3.0, 4.0], [0.3, 0.4]], dtype=np.float32)  # rows of norm 5 and 0.5; columns of norm 3.015, 4.02


def _clipped(tf, fn, kwargs: dict, collection: str):
    """The kernel after running every op of `collection`, and what the regularizer returned."""
    with tf.Graph().as_default() as graph:
        with tf.variable_scope("hidden1"):
            kernel = tf.get_variable("kernel", initializer=W)
        returned = fn(1.0, **kwargs)(kernel)
        ops = tf.get_collection(collection)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            if ops:
                sess.run(ops)
            return sess.run(kernel), returned, len(ops)


def check(fn) -> list[str]:
    tf = tensorflow()
    for kwargs, collection, axis in (({}, "max_norm", 1), ({"axes": 0}, "max_norm", 0),
                                     ({"collection": "clip_ops"}, "clip_ops", 1)):
        call = "max_norm_regularizer(1.0" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"
        after, returned, count = _clipped(tf, fn, kwargs, collection)
        if returned is not None:
            kind = "tensor" if isinstance(returned, (tf.Tensor, tf.Variable)) else type(returned).__name__
            raise Failed(_("{call}(weights) returned a {kind}; it must return None (a kernel_regularizer's result "
                           "is added to the loss: max-norm has no loss term)").format(call=call, kind=kind))
        if not count:
            raise Failed(_("after {call}(weights), the collection {collection} is empty: add the op that clips the "
                           "weights to it (tf.add_to_collection)").format(call=call, collection=repr(collection)))
        want = W / np.maximum(1.0, np.linalg.norm(W, axis=axis, keepdims=True))
        what = (_("the kernel [[3, 4], [0.3, 0.4]] after running the ops of {collection} of {call} (each of its rows "
                  "clipped to a norm of at most 1.0, tf.clip_by_norm with axes={axis})") if axis == 1 else
                _("the kernel [[3, 4], [0.3, 0.4]] after running the ops of {collection} of {call} (each of its "
                  "columns clipped to a norm of at most 1.0, tf.clip_by_norm with axes={axis})"))
        expect_close(what.format(collection=repr(collection), call=call, axis=axis), after, want)
    return [_("the op added to the collection assigns the kernel clipped to the threshold, along axes 1 (default) "
              "and 0, also to another collection; the regularizer returns None")]

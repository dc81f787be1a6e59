"""`leaky_relu`, public self-check (shipped to students; runs in their kernel): `grader.check("leaky_relu")`.

Small, visible inputs whose expected values come from the definitions, never from the
reference solution. It decides nothing about the grade."""
from __future__ import annotations

import numpy as np

from grader.selfcheck import Failed, expect_close, tensorflow
from grader.i18n import _

ID = "leaky_relu"
NOTEBOOK = "01_leaky_relu"
FUNCTION = "leaky_relu"
SIGNATURE = 'leaky_relu(z, alpha=0.01, name=None)'
POSITION = 0  # its place among the exercises of its notebook


def check(fn) -> list[str]:
    tf = tensorflow()
    z = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    for alpha, dtype in ((None, np.float32), (0.2, np.float32), (0.1, np.float64)):
        with tf.Graph().as_default(), tf.Session() as sess:
            out = fn(tf.constant(z.astype(dtype))) if alpha is None else fn(tf.constant(z.astype(dtype)), alpha=alpha)
            value = sess.run(out)
        a = 0.01 if alpha is None else alpha
        expect_close(_("leaky_relu(z={z}, alpha={alpha}) for {dtype}").format(z=z.tolist(), alpha=a,
                                                                             dtype=np.dtype(dtype).name),
                     value, np.maximum(a * z, z))
        if value.dtype != dtype:
            raise Failed(_("a {dtype} input gave a {result} result; keep the input's dtype")
                         .format(dtype=np.dtype(dtype).name, result=value.dtype))
    with tf.Graph().as_default():
        name = fn(tf.constant(z), name="my_act").op.name
    if name != "my_act":
        raise Failed(_("leaky_relu(z, name='my_act') returned an op named {name}: give `name` to the last op")
                     .format(name=repr(name)))
    return [_("values of max(alpha*z, z) for alpha 0.01 (default), 0.2 and 0.1, float32 and float64"),
            _("the returned op is named `name`")]

"""Self-checks students run in their notebooks: `grader.check("leaky_relu")`, `grader.check_all()`.

Public checks only: small, visible inputs whose expected values come from the
definitions (numpy), never from the reference solution; a few seconds at most.
They run in the student's kernel and decide nothing about the grade (the grader
runs its own, hidden checks in a process of its own). Shipped to students.
"""
from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

FUNCTIONS = {"leaky_relu": "leaky_relu", "bn_update_ops": "bn_training_op",
             "clipped_apply_gradients": "clipped_training_op", "reuse_layers": "restore_reused_layers",
             "freeze_layers": "frozen_training_op"}
NOTEBOOK_EXERCISES = {"01_leaky_relu": ["leaky_relu"], "02_batch_norm": ["bn_update_ops"],
                      "03_gradient_clipping": ["clipped_apply_gradients"],
                      "04_layer_reuse": ["reuse_layers", "freeze_layers"]}


class Failed(Exception):
    """A public check did not hold; the message says what differed."""


@dataclass
class CheckReport:
    exercise: str
    status: str                       # passed | failed | not implemented | error
    details: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return "\n".join([f"{mark} {self.exercise}: {self.status}", *(f"  - {d}" for d in self.details)])

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "not implemented": "#9a6700"}.get(self.status, "#cf222e")
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{colour}">{html.escape(self.exercise)}: {html.escape(self.status)}</b>'
                f'{"<ul>" + items + "</ul>" if items else ""}</div>')


class Reports(list):
    """Several reports, shown together."""

    def __repr__(self) -> str:
        return "\n".join(repr(r) for r in self)

    def _repr_html_(self) -> str:
        return "".join(r._repr_html_() for r in self)


def _tf():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    return tf


def _expect_close(what: str, got, want) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        raise Failed(f"{what}: expected {np.round(want, 4).tolist()}, got {np.round(got, 4).tolist()}")


# --------------------------------------------------------------------------- the public checks
def _leaky_relu(fn) -> list[str]:
    tf = _tf()
    z = np.array([-3.0, -0.5, 0.0, 0.5, 2.0])
    for alpha, dtype in ((None, np.float32), (0.2, np.float32), (0.1, np.float64)):
        with tf.Graph().as_default(), tf.Session() as sess:
            out = fn(tf.constant(z.astype(dtype))) if alpha is None else fn(tf.constant(z.astype(dtype)), alpha=alpha)
            value = sess.run(out)
        a = 0.01 if alpha is None else alpha
        _expect_close(f"leaky_relu(z={z.tolist()}, alpha={a}) for {np.dtype(dtype).name}", value, np.maximum(a * z, z))
        if value.dtype != dtype:
            raise Failed(f"a {np.dtype(dtype).name} input gave a {value.dtype} result; keep the input's dtype")
    with tf.Graph().as_default():
        name = fn(tf.constant(z), name="my_act").op.name
    if name != "my_act":
        raise Failed(f"leaky_relu(z, name='my_act') returned an op named {name!r}: give `name` to the last op")
    return ["values of max(alpha*z, z) for alpha 0.01 (default), 0.2 and 0.1, float32 and float64",
            "the returned op is named `name`"]


def _bn_update_ops(fn) -> list[str]:
    tf = _tf()
    X = np.linspace(-1.0, 2.0, 12).reshape(4, 3).astype(np.float32)
    with tf.Graph().as_default() as graph:
        training = tf.placeholder_with_default(False, shape=(), name="training")
        hidden = tf.layers.dense(tf.constant(X), 2, kernel_initializer=tf.constant_initializer(0.5))
        bn = tf.layers.batch_normalization(hidden, training=training, momentum=0.9)
        loss = tf.reduce_mean(tf.square(bn - 1.0))
        op = fn(tf.train.GradientDescentOptimizer(0.1), loss)
        if isinstance(op, (list, tuple)):
            raise Failed("bn_training_op returned a list; return one op (tf.group can combine several)")
        moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
        kernel = [v for v in tf.trainable_variables() if "kernel" in v.name][0]
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op, {training: True})
            mean, weights = sess.run([moving_mean, kernel])
    batch_mean = (X @ np.full((3, 2), 0.5)).mean(axis=0)
    if np.allclose(mean, 0.0):
        raise Failed("the moving mean did not change after one training step: are the ops in "
                     "tf.GraphKeys.UPDATE_OPS run with the training op?")
    _expect_close("the moving mean after one step (momentum 0.9)", mean, 0.1 * batch_mean)
    if np.allclose(weights, 0.5):
        raise Failed("the weights did not change after one training step: does your op run optimizer.minimize(loss)?")
    return ["one run updates the moving mean (batch-norm update ops) and the weights (one optimizer step)"]


def _clipped_apply_gradients(fn) -> list[str]:
    tf = _tf()
    slope = np.array([3.0, -0.5, 0.25, -4.0], dtype=np.float32)
    for threshold in (1.0, 0.3):
        with tf.Graph().as_default() as graph:
            w = tf.Variable(np.zeros(4, dtype=np.float32), name="w")
            loss = tf.reduce_sum(w * slope)  # its gradient is `slope`
            op = fn(tf.train.GradientDescentOptimizer(1.0), loss, threshold)
            with tf.Session(graph=graph) as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(op)
                after = sess.run(w)
        try:
            _expect_close(f"with gradients {slope.tolist()}, threshold {threshold} and SGD(learning rate 1), "
                          "the step", after, -np.clip(slope, -threshold, threshold))
        except Failed as failure:
            raise Failed(f"{failure}. Clip each gradient with tf.clip_by_value(grad, -threshold, threshold) "
                         "(clip_by_norm rescales the whole tensor instead)") from None
    return ["each gradient clipped elementwise to [-threshold, threshold] (thresholds 1.0 and 0.3) and applied"]


def _reuse_layers(fn) -> list[str]:
    tf = _tf()
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
    _expect_close("hidden1/w (matches the scope: restored from the checkpoint)", got_a, [1.0, 2.0])
    _expect_close("hidden4/w (does not match the scope: left as it was)", got_b, [0.0])
    names = sorted(v.op.name for v in returned) if isinstance(returned, (list, tuple)) else returned
    if names != ["hidden1/w"]:
        raise Failed(f"returned {names!r}; expected the list of restored variables [hidden1/w]")
    return ["restores the variables the scope matches, leaves the others, returns the restored list"]


def _freeze_layers(fn) -> list[str]:
    tf = _tf()
    with tf.Graph().as_default() as graph:
        lower = tf.Variable(1.0, name="hidden1/w")
        upper = tf.Variable(1.0, name="outputs/w")
        op = fn(tf.train.GradientDescentOptimizer(0.1), tf.square(lower * upper - 3.0), train_scope="outputs")
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op)
            got_lower, got_upper = sess.run([lower, upper])
    if got_lower != 1.0:
        raise Failed(f"hidden1/w changed to {got_lower:.4g} although train_scope='outputs': it must stay frozen")
    _expect_close("outputs/w after one step of SGD(0.1) (gradient -4)", got_upper, 1.4)
    return ["only the variables train_scope matches are trained"]


_CHECKS = {"leaky_relu": _leaky_relu, "bn_update_ops": _bn_update_ops,
           "clipped_apply_gradients": _clipped_apply_gradients, "reuse_layers": _reuse_layers,
           "freeze_layers": _freeze_layers}


def _user_namespace() -> dict:
    try:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    import __main__
    return vars(__main__)


def check(exercise: str, namespace: dict | None = None) -> CheckReport:
    """Run the public checks of one exercise on the function the notebook defines."""
    if exercise not in _CHECKS:
        return CheckReport(exercise, "error", [f"no such exercise; known: {', '.join(_CHECKS)}"])
    function = FUNCTIONS[exercise]
    fn = (namespace if namespace is not None else _user_namespace()).get(function)
    if not callable(fn):
        return CheckReport(exercise, "not implemented", [f"run the cell that defines {function} first"])
    try:
        return CheckReport(exercise, "passed", _CHECKS[exercise](fn))
    except NotImplementedError:
        return CheckReport(exercise, "not implemented", [f"{function} still raises NotImplementedError"])
    except Failed as failure:
        return CheckReport(exercise, "failed", [str(failure)])
    except Exception as error:  # noqa: BLE001 - the student's error, shown to the student
        first = (str(error).strip().splitlines() or [""])[0]
        return CheckReport(exercise, "error", [f"{function} raised {type(error).__name__}: {first}"[:300]])


def check_all(namespace: dict | None = None) -> Reports:
    """Check every exercise whose function this notebook defines (or is meant to)."""
    ns = namespace if namespace is not None else _user_namespace()
    present = [e for e, f in FUNCTIONS.items() if f in ns] or list(FUNCTIONS)
    return Reports(check(e, ns) for e in present)

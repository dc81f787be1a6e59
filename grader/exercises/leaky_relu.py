"""Exercise `leaky_relu`: leaky_relu(z, alpha=0.01, name=None) == max(alpha * z, z), op named `name`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Check, Exercise, ProbeContext, Values, Verdict, first_difference, fmt, tolerance, training_judge

HIDDEN_SEED = 80417


@dataclass(frozen=True)
class Case:
    shape: tuple
    dtype: str
    alpha: float | None      # None: call without alpha, the default 0.01 applies
    placeholder: bool        # fed through a placeholder of unknown batch size

    def describe(self) -> str:
        alpha = "the default alpha" if self.alpha is None else f"alpha={self.alpha}"
        return f"{alpha}, {self.dtype} input of shape {self.shape}"


CASES = (
    Case((7,), "float32", None, False),
    Case((3, 4), "float64", 0.2, False),
    Case((2, 3, 5), "float32", 0.3, True),
    Case((6,), "float64", 0.05, True),
    Case((4, 1), "float32", 0.5, False),
    Case((), "float64", 0.7, False),
)


def case_input(i: int, case: Case) -> np.ndarray:
    rng = np.random.RandomState(HIDDEN_SEED + i)
    z = rng.uniform(-4, 4, size=case.shape).astype(case.dtype)
    if z.size > 2:
        z.flat[0], z.flat[1] = 0.0, -0.0  # edge values the formula must keep
    return z


def probe_values(fn, ctx: ProbeContext) -> Values:
    from grader.harness import fresh_graph, new_session, tf
    out: Values = {}
    for i, case in enumerate(CASES):
        z_value = case_input(i, case)
        try:
            with fresh_graph() as graph:
                if case.placeholder:
                    z = tf.placeholder(case.dtype, shape=(None,) + case.shape[1:])
                    feed = {z: z_value}
                else:
                    z, feed = tf.constant(z_value), {}
                result = fn(z) if case.alpha is None else fn(z, alpha=case.alpha)
                with new_session(graph) as sess:
                    out[f"case{i}"] = np.asarray(sess.run(result, feed))
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            out[f"case{i}.error"] = f"{type(error).__name__}: {error}"[:300]
    return out


def judge_values(got: Values, want: Values) -> Verdict:
    problems = []
    for i, case in enumerate(CASES):
        key = f"case{i}"
        z = case_input(i, case)
        if key + ".error" in got:
            problems.append(f"with {case.describe()} your function raised {got[key + '.error']}")
            continue
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if g.dtype != w.dtype:
            problems.append(f"with {case.describe()} the result is {g.dtype}, expected {w.dtype}")
        elif g.shape != w.shape:
            problems.append(f"with {case.describe()} the result has shape {g.shape}, expected {w.shape}")
        else:
            diff = first_difference(g, w, *tolerance(w.dtype))
            if diff is not None:
                index, gv, wv = diff
                problems.append(f"with {case.describe()}: at z={fmt(z[index])} expected {fmt(wv)}, got {fmt(gv)}")
    checked = f"{len(CASES)} hidden inputs (alpha in 0.01..0.7, float32 and float64, shapes () to (2, 3, 5))"
    if problems:
        return Verdict(False, f"Compared with max(alpha*z, z) on {checked}; differences: " + "; ".join(problems[:3])
                       + ("" if len(problems) <= 3 else f"; and {len(problems) - 3} more"))
    return Verdict(True, f"Equal to max(alpha*z, z) on {checked}.")


NAMES = (("", "my_activation", None), ("layer3", "act", 0.2))


def probe_name(fn, ctx: ProbeContext) -> Values:
    from grader.harness import fresh_graph, tf
    out: Values = {}
    for i, (scope, name, alpha) in enumerate(NAMES):
        with fresh_graph():
            z = tf.constant(case_input(i, CASES[0]))
            with tf.name_scope(scope or None):
                result = fn(z, name=name) if alpha is None else fn(z, alpha=alpha, name=name)
            out[f"name{i}"] = np.asarray(getattr(result, "op", result).name if hasattr(result, "op") else str(result))
    return out


def judge_name(got: Values, want: Values) -> Verdict:
    for i, (scope, name, _) in enumerate(NAMES):
        g, w = str(got[f"name{i}"]), str(want[f"name{i}"])
        where = f" inside tf.name_scope({scope!r})" if scope else ""
        if g != w:
            return Verdict(False, f"called with name={name!r}{where}, the returned op is named {g!r}; "
                                  f"expected {w!r} (pass `name` to the op that produces the result)")
    return Verdict(True, "The returned op carries the name given in `name`, also inside a name scope.")


def probe_trained(fn, ctx: ProbeContext) -> Values:
    from grader.harness import train_leaky_mlp
    return train_leaky_mlp(fn, ctx.budget)


EXERCISE = Exercise(
    id="leaky_relu",
    notebook="01_leaky_relu",
    function="leaky_relu",
    checks=(
        Check("values", "matches max(alpha*z, z) on unseen inputs", 1.0, probe_values, judge_values),
        Check("name", "names the returned op `name`", 0.5, probe_name, judge_name),
        Check("trained", "trains the book's MLP to the reference's accuracy", 0.5, probe_trained,
              training_judge(2.0, "300-100-10 MLP with your activation"), training=True),
    ),
)

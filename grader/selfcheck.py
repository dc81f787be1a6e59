"""Self-checks students run in their notebooks: `grader.check("leaky_relu")`, `grader.check_all()`.

Public checks only: small, visible inputs whose expected values come from the
definitions (numpy), never from the reference solution; a few seconds at most.
They run in the student's kernel and decide nothing about the grade (the grader
runs its own, hidden checks in a process of its own). Shipped to students.

Each exercise's check lives in its folder, `grader/exercises/<id>/selfcheck.py`
(ID, NOTEBOOK, FUNCTION, SIGNATURE, check(fn)); this module finds them.
"""
from __future__ import annotations

import contextlib
import html
import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .i18n import N_, _, using

# How each status reads (the status itself stays English: code compares it).
STATUS_TEXT = {"passed": N_("passed"), "failed": N_("failed"), "not implemented": N_("not implemented"),
               "error": N_("error")}

class Failed(Exception):
    """A public check did not hold; the message says what differed."""


@dataclass
class CheckReport:
    exercise: str
    status: str                       # passed | failed | not implemented | error
    details: list[str] = field(default_factory=list)
    lang: str | None = None           # the language it was asked in (its details are already in it)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def status_text(self) -> str:
        with using(self.lang):  # shown later than it ran, maybe after the language changed
            return _(STATUS_TEXT.get(self.status, self.status))

    def __repr__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return "\n".join([f"{mark} {self.exercise}: {self.status_text}", *(f"  - {d}" for d in self.details)])

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "not implemented": "#9a6700"}.get(self.status, "#cf222e")
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{colour}">{html.escape(self.exercise)}: {html.escape(self.status_text)}</b>'
                f'{"<ul>" + items + "</ul>" if items else ""}</div>')


class Reports(list):
    """Several reports, shown together."""

    def __repr__(self) -> str:
        return "\n".join(repr(r) for r in self)

    def _repr_html_(self) -> str:
        return "".join(r._repr_html_() for r in self)


@contextlib.contextmanager
def quiet_stderr():
    """Send what C libraries write to file descriptor 2 to /dev/null for a while. TensorFlow's C++
    side prints start-up lines at import ("Could not find cuda drivers ...") before
    TF_CPP_MIN_LOG_LEVEL holds, and Jupyter shows them in the cell like errors. In a notebook,
    Python's own warnings and errors do not go through descriptor 2: they still show."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def tensorflow():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ log lines such as "failed call to cuInit"
    with quiet_stderr():
        import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    return tf


def expect_close(what: str, got, want) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        raise Failed(_("{what}: expected {want}, got {got}").format(
            what=what, want=np.round(want, 4).tolist(), got=np.round(got, 4).tolist()))


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


def public_checks() -> dict:
    """The exercises' public self-check modules, by exercise id, in notebook order."""
    folder = Path(__file__).resolve().parent / "exercises"
    found = [importlib.import_module(f"grader.exercises.{p.parent.name}.selfcheck")
             for p in sorted(folder.glob("*/selfcheck.py"))]
    return {m.ID: m for m in sorted(found, key=lambda m: (m.NOTEBOOK, m.POSITION, m.ID))}


def check(exercise: str, namespace: dict | None = None, lang: str | None = None) -> CheckReport:
    """Run the public checks of one exercise on the function the notebook defines; `lang` ("zh" or
    "en") chooses the language of the report (else GRADER_LANG, else the locale)."""
    with using(lang):
        report = _check(exercise, namespace)
    report.lang = lang
    return report


def _check(exercise: str, namespace: dict | None) -> CheckReport:
    checks = public_checks()
    if exercise not in checks:
        return CheckReport(exercise, "error", [_("no such exercise; known: {known}").format(known=", ".join(checks))])
    function = checks[exercise].FUNCTION
    fn = (namespace if namespace is not None else _user_namespace()).get(function)
    if not callable(fn):
        return CheckReport(exercise, "not implemented",
                           [_("run the cell that defines {function} first").format(function=function)])
    try:
        return CheckReport(exercise, "passed", checks[exercise].check(fn))
    except NotImplementedError:
        return CheckReport(exercise, "not implemented",
                           [_("{function} still raises NotImplementedError").format(function=function)])
    except Failed as failure:
        return CheckReport(exercise, "failed", [str(failure)])
    except Exception as error:  # noqa: BLE001 - the student's error, shown to the student
        first = (str(error).strip().splitlines() or [""])[0]
        return CheckReport(exercise, "error", [_("{function} raised {error}: {first}").format(
            function=function, error=type(error).__name__, first=first)[:300]])


def check_all(namespace: dict | None = None, lang: str | None = None) -> Reports:
    """Check every exercise whose function this notebook defines (or is meant to)."""
    ns = namespace if namespace is not None else _user_namespace()
    functions = {e: m.FUNCTION for e, m in public_checks().items()}
    present = [e for e, f in functions.items() if f in ns] or list(functions)
    return Reports(check(e, ns, lang) for e in present)

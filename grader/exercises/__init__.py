"""The exercises, by grade_id: one folder each (checks.py, build.py, measure.py), found, not listed."""
from __future__ import annotations

import importlib
from pathlib import Path

from .base import Check, Exercise, Values, Verdict

_HERE = Path(__file__).resolve().parent


def _discover() -> dict[str, Exercise]:
    found = {}
    for folder in sorted(p for p in _HERE.iterdir() if (p / "checks.py").exists()):
        exercise = importlib.import_module(f"{__name__}.{folder.name}.checks").EXERCISE
        found[exercise.id] = exercise
    return dict(sorted(found.items(), key=lambda item: (item[1].notebook, item[1].position, item[0])))


EXERCISES: dict[str, Exercise] = _discover()

__all__ = ["EXERCISES", "Check", "Exercise", "Values", "Verdict"]

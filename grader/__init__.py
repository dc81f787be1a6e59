"""Autograder for the chapter 11 exercises of Hands-On Machine Learning (TF 1.x style).

In a notebook: `grader.check("leaky_relu")` runs that exercise's public self-checks,
`grader.check_all()` runs those of every exercise the notebook defines.
"""
from .selfcheck import check, check_all

__all__ = ["check", "check_all"]

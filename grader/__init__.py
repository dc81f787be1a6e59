"""Autograder for the chapter 11 exercises of Hands-On Machine Learning (TF 1.x style).

In a notebook: `grader.check("leaky_relu")` runs that exercise's public self-checks,
`grader.check_all()` runs those of every exercise the notebook defines;
`grader.save_for_grading(...)` hands in a trained model (exercises 8 and 9).
"""
from .handin import save_for_grading
from .selfcheck import check, check_all

__all__ = ["check", "check_all", "save_for_grading"]

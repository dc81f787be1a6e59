"""Autograder for the chapter 11 exercises of Hands-On Machine Learning (TF 1.x style)."""

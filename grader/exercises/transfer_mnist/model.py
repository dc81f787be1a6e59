"""transfer_mnist (the book's exercise 9): what the notebook, the builder and the judge share.

The notebook restores the exercise-8 model (the grader's own, trained by the judge: `pretrain_deep`
in grader/judge/training.py, put in the kernel's folder as exercise_8_model/), trains a new output
layer on 100 images per digit 5-9 with the hidden layers frozen, and hands the model in."""
from __future__ import annotations

DIGITS = (5, 6, 7, 8, 9)
NOTEBOOK_PARAMETERS = {"n_epochs": 100, "max_epochs_without_progress": 20}
PROVIDED = "exercise_8_model"      # the folder the notebook restores the exercise-8 model from
REUSED = tuple(f"dnn/hidden{k}/{part}" for k in range(1, 6) for part in ("kernel", "bias"))
FLOOR = 0.60                       # a 5-way classifier at 60% or less earns nothing
FULL_MARKS_WITHIN = 0.03           # full marks at 3 points below the reference's accuracy or better
# Far above the reference: more than 100 images per digit were used (the frozen layers cap what
# 500 images can teach the output layer).
CEILING_ABOVE = 0.08

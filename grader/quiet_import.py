"""`import grader.quiet_import` before `import tensorflow.compat.v1 as tf` (the notebooks' setup cell):
TensorFlow is imported here with what its C++ side prints at start-up hidden ("Could not find cuda
drivers", absl's notice, CPU features). Those lines come before TF_CPP_MIN_LOG_LEVEL holds, and
Jupyter shows them in the cell like errors. The notebook's own import then finds it loaded.
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # and later "failed call to cuInit" without a GPU

from .selfcheck import quiet_stderr  # noqa: E402

with quiet_stderr():
    import tensorflow.compat.v1  # noqa: E402, F401

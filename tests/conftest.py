import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
sys.path.insert(0, str(Path(__file__).parent))  # tests/submissions.py

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def reference():
    """The reference's probe values (computed once, then cached like the CLI does)."""
    import tempfile

    from grader.checks import reference_outcomes
    from grader.config import GradeConfig
    from grader.sandbox import Sandbox

    config = GradeConfig(out=Path(tempfile.mkdtemp()))
    scratch = Path(tempfile.mkdtemp())
    outcomes, _ = reference_outcomes(config.budget, config.cache_dir, scratch,
                                     config.timeout, Sandbox(config.max_memory_mb, True, scratch))
    return outcomes

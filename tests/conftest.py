import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ["GRADER_LANG"] = "en"  # the tests that read English messages, whatever the machine's locale
sys.path.insert(0, str(Path(__file__).parent))  # tests/submissions.py

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def bob_graded(batch, tmp_path_factory) -> Path:
    """`grader grade` (English) of the example that fails some tests of two exercises and passes the
    others: a copy of its result folder from the session's batch (shared by the feedback page's
    tests and the languages' tests)."""
    import shutil
    run, out = batch
    assert run.returncode == 0, run.stderr[-2000:]
    return Path(shutil.copytree(out / BOB, tmp_path_factory.mktemp("bob") / BOB))


BOB = "bob_update_ops_and_clip_by_norm"


@pytest.fixture(scope="session")
def judge():
    """One judge for the session, as one serves a whole grading run."""
    import tempfile

    from grader.checks import pretrained_cache
    from grader.config import GradeConfig
    from grader.judge.client import Judge

    config = GradeConfig(out=Path(tempfile.mkdtemp()))
    judge = Judge(config.budget, config.max_memory_mb, cache=pretrained_cache(config))
    yield judge
    judge.close()


@pytest.fixture(scope="session")
def reference(judge):
    """The judge's measurements of the reference (computed once, then cached like the CLI does)."""
    import tempfile

    from grader.checks import reference_outcomes
    from grader.config import GradeConfig
    from grader.sandbox import Sandbox

    config = GradeConfig(out=Path(tempfile.mkdtemp()))
    scratch = Path(tempfile.mkdtemp())
    sandbox = Sandbox(config.max_memory_mb, True, scratch)
    try:
        outcomes, _ = reference_outcomes(config.budget, config.cache_dir, scratch, config.timeout, sandbox, judge,
                                         workers=2)
    finally:
        sandbox.close()
    return outcomes


@pytest.fixture(scope="session")
def batch(root, tmp_path_factory, reference):
    """test_grade.py's batch (the examples beside the reference, the templates, broken and hanging
    submissions; --jobs 2): (the run, its --out)."""
    from test_grade import grade_batch
    return grade_batch(root, tmp_path_factory.mktemp("batch"))

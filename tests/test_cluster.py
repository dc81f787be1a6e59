"""`grader grade --cluster`: the same results as a local run, a worker killed mid-batch, --resume
after a cluster run, and one-line errors. Real Dask (LocalCluster: worker processes, a scheduler),
real kernels and the real sandbox on the workers."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from rich.console import Console  # noqa: E402

from grader import cluster as grader_cluster  # noqa: E402
from test_grade import TIMEOUT  # noqa: E402 - the local run's settings, for an exact comparison

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def _comparable(folder: Path) -> dict:
    """results.json without what differs between two gradings of the same submission: the wall
    clock (execution_time, extra_data.graded_at)."""
    data = json.loads((folder / "results.json").read_text())
    data.pop("execution_time")
    data["extra_data"].pop("graded_at")
    return data


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_the_examples_graded_on_local_2_equal_a_local_run(batch, root, tmp_path):
    """Every field of each example's results.json but the wall clock is the same as the local
    run's (test_grade.py's batch: same paths, same --timeout); so are the files beside it and the
    grades.csv rows."""
    _, local = batch
    paths = sorted((root / "examples" / "submissions").iterdir())
    out = tmp_path / "out"
    run = subprocess.run([*GRADER, "grade", *map(str, paths), "--out", str(out), "--cluster", "local:2",
                          "--timeout", str(TIMEOUT)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "cluster: 2 Dask workers on this machine, 2 threads" in run.stderr
    names = [p.stem if p.is_file() else p.name for p in paths]
    for name in names:
        assert _comparable(out / name) == _comparable(local / name), name
        assert sorted(p.name for p in (out / name).iterdir()) == sorted(p.name for p in (local / name).iterdir())
        assert (out / name / "feedback.html").stat().st_size > 1000
    cluster_rows, local_rows = _rows(out), _rows(local)
    assert {n: cluster_rows[n] for n in names} == {n: local_rows[n] for n in names}
    assert "alice_correct" in run.stdout + run.stderr  # the table


# --------------------------------------------------------------------------- a cluster of our own
@pytest.fixture(scope="module")
def dask_cluster():
    """An existing cluster, as a course would run one: a scheduler and two single-threaded worker
    processes (one task at a time each, so that the test knows which worker grades what)."""
    import dask
    from distributed import Client, LocalCluster
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=0,
                               dashboard_address=None)
    client = Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def _submissions(root: Path, folder: Path) -> list[Path]:
    """Two small submissions, one notebook each."""
    folder.mkdir()
    subs = root / "examples" / "submissions"
    shutil.copy(subs / "dave_leaky_relu.ipynb", folder / "dave.ipynb")
    shutil.copy(subs / "alice_correct" / "02_batch_norm.ipynb", folder / "erin.ipynb")
    return sorted(folder.iterdir())


def _running(client, key: str | None = None, not_on: str | None = None, timeout: float = 240) -> tuple[str, str]:
    """(worker, task key) of a grading task that runs (`key`'s, if given, on another worker than
    `not_on`), once one does."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for worker, keys in client.processing().items():
            for k in keys:
                if str(k).startswith("grade-") and key in (None, k) and worker != not_on:
                    return worker, k
        time.sleep(0.2)
    raise AssertionError(f"no grading task ran within {timeout} s")


def _kill_worker(client, worker: str) -> None:
    pid = client.run(os.getpid, workers=[worker])[worker]
    os.kill(pid, signal.SIGKILL)  # no clean-up at all; its nanny starts a new worker


def test_a_worker_killed_mid_submission_is_retried_then_the_submission_says_why(dask_cluster, root, tmp_path):
    """Two submissions on two workers; the worker grading one of them is killed mid-submission, and
    the worker grading its retry too. The scheduler allows one failure: the retry shows the first
    death was survived, the second gives the submission a result that says why, marked as an
    internal error; the other submission is graded as usual. Then --resume grades only that one."""
    cluster, client = dask_cluster
    cluster.scheduler.allowed_failures = 1
    paths = _submissions(root, tmp_path / "subs")
    out = tmp_path / "out"
    command = [*GRADER, "grade", *map(str, paths), "--out", str(out), "--cluster", cluster.scheduler_address]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        worker, key = _running(client)
        time.sleep(2)  # its kernel is starting: mid-submission
        _kill_worker(client, worker)
        again, _ = _running(client, key, not_on=worker)  # the retry: the other worker, or the first one anew
        time.sleep(2)
        assert run.poll() is None and len(list(out.glob("*/results.json"))) < 2, "the batch ended before the kills"
        _kill_worker(client, again)
        stdout, stderr = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, stderr[-3000:]
    results = {p.stem: json.loads((out / p.stem / "results.json").read_text()) for p in paths}
    lost = [name for name, data in results.items() if data["extra_data"]["internal_error"]]
    assert len(lost) == 1, {n: d["output"] for n, d in results.items()}
    (name,) = lost
    why = results[name]["extra_data"]["problems"][0]
    assert "the Dask worker grading it stopped before it finished (2 tries" in why, why
    assert all("Not graded: the grader failed on this submission" in t["output"] for t in results[name]["tests"])
    (other,) = set(results) - {name}
    expected = {"dave": 1.0, "erin": 2.0}  # leaky_relu right (dave), bn_update_ops right (erin)
    assert results[other]["score"] == expected[other], results[other]["output"]
    assert f"graded {name}: 0/" in stderr and "Traceback" not in stderr

    # --resume: only the submission whose grading failed is graded again, on the cluster.
    cluster.scheduler.allowed_failures = 3
    kept = (out / other / "results.json").read_bytes()
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "--resume: 1 of 2 submissions already have results" in resumed.stderr
    assert (out / other / "results.json").read_bytes() == kept
    again = json.loads((out / name / "results.json").read_text())
    assert not again["extra_data"]["internal_error"] and again["score"] == expected[name], again["output"]
    assert (out / name / "history").is_dir()  # the failed result, kept as a regrade keeps any
    assert set(_rows(out)) == {"dave", "erin"}


def test_workers_with_another_grader_are_refused_in_one_line(dask_cluster, monkeypatch):
    cluster, _ = dask_cluster
    monkeypatch.setattr(grader_cluster, "_code_digest", lambda: "000000000000")  # this side only
    with pytest.raises(grader_cluster.ClusterError) as refused:
        grader_cluster.Cluster(cluster.scheduler_address, Console(stderr=True))
    message = refused.value.format_message()
    assert "\n" not in message
    assert "(and 1 more) has another grader than this machine: code " in message
    assert "(here 000000000000); install the same version on every worker" in message


# --------------------------------------------------------------------------- one-line errors
@pytest.mark.parametrize("address,expected,prefix", [
    ("tcp://127.0.0.1:9", "cannot connect to the Dask scheduler at tcp://127.0.0.1:9: ", []),
    ("local:0", "--cluster local:N needs N >= 1 worker processes", []),
    ("scheduler at 10.0.0.1", "--cluster scheduler at 10.0.0.1: expected a Dask scheduler's address", []),
    ("local:2", "--cluster needs Dask's distributed package, which is not installed: pip install "
                "'ch11-grader[cluster]'", ["import sys; sys.modules['distributed'] = None"]),
])
def test_a_cluster_that_cannot_be_used_is_one_line(root, tmp_path, address, expected, prefix):
    command = [sys.executable, "-c", "; ".join([*prefix, "from grader.cli import main", "main()"])]
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    run = subprocess.run([*command, "grade", str(root / "examples" / "submissions" / "dave_leaky_relu.ipynb"),
                          "--out", str(tmp_path / "out"), "--cluster", address],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2, run.stderr[-2000:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"grader: error: {expected}"), run.stderr[-2000:]

"""Grade many submissions: the reference once, the submissions in parallel, the reports at the end."""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import re
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from . import audit
from .checks import not_graded, pretrained_cache, reference_cached, reference_outcomes
from .config import GradeConfig
from .i18n import _, set_language
from .exercises import EXERCISES
from .grade import grade_submission
from .judge.client import Judge
from .load import submission_name
from .report import print_table, write_atomic, write_grades_csv, write_results_json
from .results import INTERNAL_ERROR, SubmissionResult
from .sandbox import Sandbox, begin_run, end_run, new_workdir, sandbox_warnings

GRADES_CSV = "grades.csv"
INTAKE_REPORT = "intake.txt"    # what an LMS download held: students, files not attributed, missing students
INTAKE_DIR = "intake"           # in the run folder: the students' notebooks copied out of the download
LOCK_NAME = ".grader.lock"      # held (flock) by the one grader writing into an --out folder
MAX_ATTEMPTS = 2                # an internal grader error is graded again once by --resume, not forever
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


class OutputError(click.ClickException):
    """The results cannot be written where they must go: a one-line message, and the exit status
    (2 when known before grading, 1 once the run has started)."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.exit_code = status


# --------------------------------------------------------------------------- --out
def _why(error: OSError) -> str:
    return error.strerror or str(error)


def _check_writable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create --out {out}: {_why(error)}") from None
    try:  # a full disk fails here, not after an hour of grading (write_atomic leaves nothing behind)
        probe = out / f".grader-write-check-{os.getpid()}"  # two graders starting at once: two names
        write_atomic(probe, "x" * 65536)
        probe.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write in --out {out}: {_why(error)}") from None


@contextlib.contextmanager
def locked_out(out: Path):
    """Check that `out` is a writable folder (making it), and hold its lock while grading into it:
    a second grader on the same --out stops at once (OutputError) instead of mixing results."""
    _check_writable(out)
    try:
        fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise OutputError(f"cannot write in --out {out}: {_why(error)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise OutputError(f"another grader{who} is grading into {out}; "
                              "wait for it to finish, or choose another --out") from None
        except OSError:
            pass  # a file system without locks: grade anyway
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # only the message of a second grader needs it
        yield
    finally:
        os.close(fd)  # releases the lock


def _identity(path: Path) -> str:
    return os.path.abspath(path)


def _owners(out: Path) -> dict[str, str]:
    """Result folder -> the absolute path of the submission its results.json records (when it does)."""
    owners = {}
    try:
        folders = sorted(e for e in out.iterdir() if e.is_dir() and not e.is_symlink())
    except OSError:
        return owners
    for folder in folders:
        result = _previous(folder)
        if result is not None and result.abspath:
            owners[folder.name] = result.abspath
    return owners


def _previous(folder: Path) -> SubmissionResult | None:
    try:
        return SubmissionResult.from_gradescope(folder.name, json.loads((folder / "results.json").read_bytes()))
    except (OSError, ValueError, TypeError, RecursionError):
        return None


def _identity_of(path: Path, sources: dict | None) -> str:
    """Which submission a path is: its absolute path, or for a student of an LMS download the student's
    identity there (`canvas:<id>`: the same across downloads, wherever the run unpacked it)."""
    return sources[path].identity if sources and path in sources else _text(_identity(path))


def result_names(paths: list[Path], out: Path, reserved: tuple[str, ...] = (),
                 sources: dict | None = None) -> dict[Path, str]:
    """A result folder name for each submission, unique in `out` and always one plain folder inside it,
    whatever the paths are called; deterministic, so that --resume finds the same names again.

    - A submission whose results.json is already in `out` (recorded by its path) keeps that folder.
    - Otherwise its natural name (load.submission_name: the folder's name or the notebook's stem, made
      safe) when no other submission has it; submissions sharing a name get `name`, `name-2`, ... in
      the order of their sorted paths (compared case-insensitively: some file systems are).
    - Never the name of a file the grader writes in `out` (grades.csv, `reserved`), of any other
      file there, or of a result folder an earlier run wrote for another submission.
    """
    owners = _owners(out)
    owned = {}
    for name, owner in owners.items():
        owned.setdefault(owner, name)
    taken = {n.casefold() for n in (GRADES_CSV, LOCK_NAME, *reserved, *owners)}
    with contextlib.suppress(OSError):
        taken |= {e.name.casefold() for e in out.iterdir() if not e.is_dir() or e.is_symlink()}
    names: dict[Path, str] = {}
    rest = []
    for path in sorted(paths, key=str):
        if _identity_of(path, sources) in owned:  # as results.json records it
            names[path] = owned[_identity_of(path, sources)]
        else:
            rest.append(path)
    base = {path: sources[path].name if sources and path in sources else submission_name(path) for path in rest}
    count = Counter(name.casefold() for name in base.values())
    for path in rest:  # names nobody else wants first: a suffix never takes another's natural name
        if count[base[path].casefold()] == 1 and base[path].casefold() not in taken:
            names[path] = base[path]
            taken.add(base[path].casefold())
    for path in rest:
        if path in names:
            continue
        name, n = base[path], 1
        while name.casefold() in taken:
            n += 1
            name = f"{base[path]}-{n}"
        names[path] = name
        taken.add(name.casefold())
    return names


# --------------------------------------------------------------------------- grading
_SURROGATES = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _text(value: str) -> str:
    """Printable and UTF-8 writable, and still traceable: a file name that is not UTF-8 carries
    lone surrogates (Python's surrogateescape), shown as the bytes they stand for (caf\\xe9.ipynb)."""
    return _SURROGATES.sub(_escape_surrogate, value)


def _finished(previous: SubmissionResult | None) -> bool:
    """Has a result that --resume may keep: one the grader did not fail on, or failed on too often."""
    return previous is not None and (not previous.internal_error or previous.attempts >= MAX_ATTEMPTS)


def _internal_error(name: str, error: BaseException) -> SubmissionResult:
    result = SubmissionResult(name, problems=[f"{INTERNAL_ERROR}: {error!r}"], internal_error=True)
    for exercise in EXERCISES:
        result.tests += not_graded(exercise, _("Not graded: the grader failed on this submission (please report "
                                               "it): {error}").format(error=repr(error)[:200]))
    return result


def _grade_safely(path: Path, name: str, config: GradeConfig, reference, judge, slots) -> SubmissionResult:
    try:
        return grade_submission(path, config, reference, judge, slots, name=name)
    except KeyboardInterrupt:
        raise
    except OSError as error:
        if Sandbox.stopping:
            raise KeyboardInterrupt from None
        where = error.filename if isinstance(error.filename, str) else ""
        if error.errno in _FULL and (not where or (_identity(Path(where)) + os.sep).startswith(
                _identity(config.out) + os.sep)):
            raise OutputError(f"cannot write results in --out {config.out}: {_why(error)}", status=1) from None
        traceback.print_exc()
        return _internal_error(name, error)
    except Exception as error:  # noqa: BLE001 - a grader bug must not cost the other submissions
        if Sandbox.stopping:  # interrupted: this submission's work was cut short on purpose, not a bug
            raise KeyboardInterrupt from None
        traceback.print_exc()
        return _internal_error(name, error)


class LocalSlots:
    """Grades here: a thread per submission, at most config.jobs processes doing the work at once.
    (grader/cluster.py's Cluster does the same on Dask workers; _grade_all drives either.)"""

    def __init__(self, config: GradeConfig, reference, judge):
        self.config, self.reference, self.judge = config, reference, judge
        self.pool = ThreadPoolExecutor(max_workers=config.jobs)
        self.slots = threading.BoundedSemaphore(config.jobs)  # --jobs: processes running student code at once
        self.futures: dict = {}

    def results(self, jobs):
        """(path, result, files to write in its result folder) as each submission of `jobs`, an iterable
        of (path, name), is graded: here grade_submission writes its files itself, so none."""
        for path, name in jobs:  # one by one, so that an interrupt here still knows what was started
            self.futures[self.pool.submit(_grade_safely, path, name, self.config, self.reference, self.judge,
                                          self.slots)] = path
        pending = set(self.futures)
        while pending:
            # Never an endless wait: the kernel may hand Ctrl-C to any thread, and Python raises it in
            # this, the main thread, only when it runs again; as_completed would put it off until the
            # next submission is done.
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                yield self.futures[future], future.result(), {}

    def stop(self) -> None:
        """Interrupted: start nothing more, end what runs, and let the running threads finish."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        # Let the running threads end now: once the interpreter is shutting down they could not
        # even start their cleanup (new futures are refused there).
        # (Cancelled futures are left out: wait() would never count them as done.)
        running = [f for f in self.futures if not f.cancelled()]
        if self.judge is not None:  # a measurement under way would hold its thread until it ends
            self.judge.interrupt()
        deadline = time.monotonic() + 60
        while running and time.monotonic() < deadline:
            # End the running kernels and workers, again and again: one that was starting as the
            # last call ran (a kernel waiting for the judge, say) is ended by the next.
            Sandbox.close_all()
            running = list(wait(running, timeout=0.25).not_done)

    def close(self) -> None:
        self.pool.shutdown()


def _progress(console: Console, total: int) -> Progress | None:
    """A live bar on a terminal; None (plain lines) anywhere else, such as CI logs."""
    if not console.is_terminal:
        return None
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[failed]} with problems"), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(), console=console)
    progress.add_task("grading", total=total, failed=0)
    progress.start()
    return progress


def _unique(paths: list[Path], console: Console) -> list[Path]:
    """Each submission once, even when it is given twice (`a`, `./a`, `a/`)."""
    seen: dict[str, Path] = {}
    for path in paths:
        if _identity(path) in seen:
            console.print(f"note: {escape(_text(str(path)))} is the same submission as "
                          f"{escape(_text(str(seen[_identity(path)])))}; it is graded once",
                          highlight=False, soft_wrap=True)
        else:
            seen[_identity(path)] = path
    return list(seen.values())


def _write_grades(out: Path, console: Console, status: int = 1) -> None:
    try:
        _, unreadable = write_grades_csv(out)
    except OSError as error:
        raise OutputError(f"cannot write {out / GRADES_CSV}: {_why(error)}", status) from None
    if unreadable:
        console.print(f"note: no row in {GRADES_CSV} for {', '.join(map(escape, unreadable))}: "
                      "their results.json cannot be read", highlight=False, soft_wrap=True)


def grade_all(paths: list[Path], config: GradeConfig, console: Console | None = None,
              reserved: tuple[str, ...] = (), intake=None, overrides=None) -> list[SubmissionResult]:
    """`reserved`: names of other files the caller writes directly in config.out (--junit, ...).
    `intake`: an LMS download's intake.Plan (then `paths` is that download); `overrides`: (the
    --overrides file, its overrides.Override list), applied to every result in config.out at the end."""
    console = console or Console(stderr=True)
    set_language(config.lang)  # what students read; the judge, builders and kernels started below inherit it
    with locked_out(config.out):
        paths = _unique(paths, console)
        run_dir = begin_run()  # work folders; what a killed run left behind is cleaned first
        judge = cluster = None
        try:
            sources, private = {}, tuple(paths)
            if intake is not None:  # each student's notebooks, copied into the run's private folder
                try:
                    sources = intake.materialize(run_dir / INTAKE_DIR)
                except OSError as error:
                    raise OutputError(f"cannot unpack {intake.download} into the run's folder {run_dir}: "
                                      f"{_why(error)}") from None
                paths = list(sources)
                private = (*paths, run_dir / INTAKE_DIR, intake.download)
                reserved = (*reserved, INTAKE_REPORT)
            config = dataclasses.replace(config, submissions=private, run_dir=run_dir)
            names = result_names(paths, config.out, reserved, sources)
            if overrides is not None:  # before grading: a typo in the file must not cost a run
                from .overrides import OverridesError, check_known, known_names
                known = set(names.values()) | known_names(config.out) | {s.student["id"] for s in sources.values()}
                known |= {e.id for e in intake.missing} if intake is not None else set()
                try:
                    check_known(overrides[1], known, overrides[0])
                except OverridesError as error:
                    raise click.UsageError(str(error)) from None
            if config.cluster:  # before the reference: a cluster that cannot be used stops the run at once
                from .cluster import Cluster
                cluster = Cluster(config.cluster, console)
            if intake is not None:
                _write_intake_report(intake, config.out, console)
            for warning in sandbox_warnings(config.isolate_network, config.private_paths):
                console.print(f"[yellow]note:[/yellow] {warning}", highlight=False, soft_wrap=True)
            with console.status("Preparing the reference results (cached after the first run)..."):
                # On a cluster with everything cached this machine needs no judge (each worker has its own).
                if cluster is None or not reference_cached(config):
                    judge = Judge(config.budget, config.max_memory_mb, scratch=run_dir, private=config.private_paths,
                                  cache=pretrained_cache(config))
                scratch = new_workdir(run_dir, "reference")
                sandbox = Sandbox(config.max_memory_mb, config.isolate_network, scratch, config.private_paths,
                                  data_dirs=(config.mnist_dir,) if config.mnist_dir else ())
                try:
                    reference, cached = reference_outcomes(config.budget, config.cache_dir, scratch,
                                                           config.timeout, sandbox, judge, workers=config.jobs)
                finally:
                    sandbox.close()
            console.print(f"reference results: {'from the cache' if cached else 'computed and cached'}",
                          highlight=False, soft_wrap=True)
            if cluster is not None:  # the workers get the reference and the pretrained models; this judge rests
                cluster.start(config, reference, judge.provided() if judge else pretrained_cache(config))
                if judge is not None:
                    judge.close()
            return _grade_all(paths, names, config, console, reference, judge, sources, intake, overrides, cluster)
        finally:
            if cluster is not None:
                cluster.close()
            if judge is not None:
                judge.close()
            end_run(run_dir)


def _grade_all(paths: list[Path], names: dict[Path, str], config: GradeConfig, console: Console, reference,
               judge, sources: dict | None = None, intake=None, overrides=None, cluster=None) -> list[SubmissionResult]:
    """`cluster`: a started cluster.Cluster that grades on Dask workers; None: LocalSlots, here."""
    sources = sources or {}
    previous = {path: _previous(config.out / names[path]) for path in paths}
    for path, result in previous.items():  # a folder an older grader wrote, or that another path owns
        if result is not None and result.abspath and result.abspath != _identity_of(path, sources):
            previous[path] = None
    if config.resume:
        done = [p for p in paths if _finished(previous[p])]
        console.print(f"--resume: {len(done)} of {len(paths)} submissions already have results",
                      highlight=False, soft_wrap=True)
        for path in done:
            if previous[path].internal_error:
                console.print(f"--resume: the grader failed on {escape(names[path])} {previous[path].attempts} "
                              "times; it is not retried (its results.json says why)",
                              highlight=False, soft_wrap=True)
        paths = [p for p in paths if p not in done]
    results = []
    progress = _progress(console, len(paths))
    runner = cluster if cluster is not None else LocalSlots(config, reference, judge)
    hashes: dict[Path, dict] = {}

    def jobs():
        for path in paths:
            try:  # a regrade: the result the student may have seen goes to the history first
                audit.keep_previous(config.out / names[path])
            except OSError as error:
                raise OutputError(f"cannot keep the previous result of {names[path]} in --out {config.out}: "
                                  f"{_why(error)}", 1) from None
            hashes[path] = audit.notebook_hashes(path)  # what is about to be graded
            yield path, names[path]

    try:
        for path, result, files in runner.results(jobs()):
            result.path, result.abspath = _text(str(path)), _identity_of(path, sources)
            if path in sources:
                result.path, result.student = _text(sources[path].label), sources[path].student
            result.audit = audit.record(config, hashes[path])
            before = previous[path]
            result.attempts = before.attempts + 1 if before is not None and before.internal_error \
                and result.internal_error else 1
            result.problems = [_text(p) for p in result.problems]
            try:  # what a worker elsewhere wrote (feedback, executed notebooks), then results.json
                for file_name, data in files.items():
                    write_atomic(config.out / result.name / file_name, data)
                write_results_json(result, config.out)  # at once and atomically: an interrupted run keeps it
            except OSError as error:
                raise OutputError(f"cannot write results in --out {config.out}: {_why(error)}", 1) from None
            line = (f"graded {escape(result.name)}: {result.score:g}/{result.max_score:g} "
                    f"in {result.execution_time:.0f}s")
            line += "".join(f"\n  note: {escape(_text(note))}" for note in result.notes)
            failed = not result.tests or bool(result.problems)
            if progress:
                progress.console.print(line, highlight=False, soft_wrap=True)
                progress.update(0, advance=1, failed=progress.tasks[0].fields["failed"] + failed)
            else:
                console.print(line, highlight=False, soft_wrap=True)
            results.append(result)
        if progress:
            progress.stop()
    except (KeyboardInterrupt, OutputError):
        if progress:
            progress.stop()
        runner.stop()
        with contextlib.suppress(OutputError):  # the rows of every finished result
            _write_grades(config.out, console)
        raise
    runner.close()
    if intake is not None:
        results += _missing_results(intake, config)
    if overrides is not None:
        from .overrides import apply_to_out
        changed = set(apply_to_out(config.out, overrides[1]))
        if changed:  # the table shows them as the files now say
            from .report import read_results
            again = {r.name: r for r in read_results(config.out)[0] if r.name in changed}
            results = [again.get(r.name, r) for r in results]
            console.print(f"--overrides: {len(changed)} result(s) in {config.out} changed: {', '.join(sorted(changed))}",
                          highlight=False, soft_wrap=True)
    results.sort(key=lambda r: r.name)
    _write_grades(config.out, console)
    print_table(results)
    return results


# --------------------------------------------------------------------------- LMS downloads
def _write_intake_report(intake, out: Path, console: Console) -> None:
    try:
        write_atomic(out / INTAKE_REPORT, _text(intake.report()))
    except OSError as error:
        raise OutputError(f"cannot write {out / INTAKE_REPORT}: {_why(error)}") from None
    console.print(f"intake: {escape(_text(intake.summary()))} (see {escape(str(out / INTAKE_REPORT))})",
                  highlight=False, soft_wrap=True)


def _missing_results(intake, config: GradeConfig) -> list[SubmissionResult]:
    """A zero with its reason for each student on the roster with no submission, unless --out already
    holds a result of that student (an earlier download's)."""
    out = config.out
    owners = _owners(out)
    owned = set(owners.values())
    taken = {n.casefold() for n in owners} | {GRADES_CSV.casefold(), LOCK_NAME.casefold(), INTAKE_REPORT}
    with contextlib.suppress(OSError):
        taken |= {e.name.casefold() for e in out.iterdir()}
    results = []
    for entry in intake.missing:
        identity = intake.identity(entry.id)
        if identity in owned:
            continue
        base = name = intake.natural_name(entry.name, entry.id)
        n = 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        why = _("no submission from this student in {download}").format(download=_text(str(intake.download)))
        result = SubmissionResult(name, problems=[why], path=_text(f"{intake.download}#missing"), abspath=identity)
        result.student = {"id": entry.id, "name": entry.name, "email": entry.email, "lms": intake.layout,
                          "missing": True}
        result.audit = audit.record(config, {})
        for exercise in EXERCISES:
            result.tests += not_graded(exercise, _("Not graded: {why}.").format(why=why))
        try:
            write_results_json(result, out)
        except OSError as error:
            raise OutputError(f"cannot write results in --out {out}: {_why(error)}", 1) from None
        results.append(result)
    return results

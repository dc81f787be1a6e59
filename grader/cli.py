"""The `grader` command."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .config import GradeConfig

LAYOUTS = ("canvas", "moodle", "gradescope", "folders")  # intake.LAYOUTS (not imported: the CLI starts light)
LANGS = ("en", "zh")  # i18n.LANGUAGES

_stderr = Console(stderr=True)


@click.group()
def cli() -> None:
    """Autograder for the chapter 11 exercises (Training Deep Neural Networks)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the results.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes doing the work at once (notebook kernels, builders, the judge's measurements) [cores].")
@click.option("--timeout", type=click.FloatRange(min=1), default=300.0, show_default=True,
              help="Longest any single cell (or check) may run, in seconds.")
@click.option("--data", type=click.Choice(["sample", "full"]), default="sample", show_default=True,
              help="sample: the bundled 10,000 MNIST images; full: full MNIST from this machine.")
@click.option("--mnist-dir", type=click.Path(file_okay=False), default=None,
              help="Folder with the four MNIST IDX files (for --data full; or set MNIST_DIR).")
@click.option("--max-memory", "max_memory_mb", type=click.IntRange(min=256), default=4096, show_default=True,
              help="Memory limit (MiB of address space) of each process running student code.")
@click.option("--submission-timeout", type=click.FloatRange(min=10), default=1800.0, show_default=True,
              help="Wall-clock limit for one whole submission, in seconds.")
@click.option("--resume", is_flag=True, help="Grade only the submissions that have no results.json in --out yet.")
@click.option("--allow-network", is_flag=True, help="Let student code reach the network (it cannot by default).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here.")
@click.option("--summary-md", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY).")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Exit with status 1 when a submission scores below this percentage.")
@click.option("--layout", type=click.Choice(["auto", "single", *LAYOUTS]), default="auto", show_default=True,
              help="How PATH holds the submissions: an LMS download (canvas, moodle, gradescope: a zip or its "
                   "folder), folders (one folder per student, e.g. GitHub Classroom), single (each PATH is one "
                   "submission); auto: detected from one PATH's names, else single.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of the students (id, name, e-mail): names them and lists those with no submission.")
@click.option("--cluster", default=None, metavar="ADDRESS",
              help="Grade on a Dask cluster: its scheduler's address (tcp://host:8786), or local:N for N worker "
                   "processes on this machine (needs the cluster extra).")
@click.option("--overrides", "overrides_file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of instructor overrides (submission, exercise or test, points, comment).")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, envvar="GRADER_LANG",
              help="The language of what students read: results.json, feedback.html, the problems (or GRADER_LANG).")
def grade(paths, out, jobs, timeout, data, mnist_dir, max_memory_mb, submission_timeout, resume,
          allow_network, junit, summary_md, fail_under, layout, roster, cluster, overrides_file, lang) -> None:
    """Grade submissions: each PATH is a notebook or a folder of notebooks, or one LMS download."""
    from .data import DataError, load_mnist
    from .grade_batch import grade_all

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    # Results inside a submission would be read back as its notebooks by the next run.
    real_out = Path(os.path.realpath(out))
    holder = next((p for p in paths if p.is_dir() and real_out.is_relative_to(os.path.realpath(p))), None)
    if holder is not None:
        raise click.UsageError(f"--out {out} is inside the submission {holder}: choose a folder outside the "
                               "submissions (the next run would grade the results as part of it)")
    if cluster is not None:
        from .cluster import check_address
        check_address(cluster)
    intake, overrides = _intake(paths, layout, roster), None
    if overrides_file is not None:
        from .overrides import OverridesError, read_overrides
        try:
            overrides = (overrides_file, read_overrides(overrides_file))
        except OverridesError as error:
            raise click.UsageError(str(error)) from None
    from . import notebooks
    try:
        notebooks.reference_dir(), notebooks.assignments_dir()
    except FileNotFoundError as error:
        raise click.UsageError(str(error)) from None
    reserved = []  # the names the report files take in --out: no submission's result folder may
    for option, target in (("--junit", junit), ("--summary-md", summary_md)):
        if target is None:
            continue
        problem = _unwritable_file(target)
        if problem:
            raise click.UsageError(f"cannot write {option} {target}: {problem}")
        if os.path.abspath(target.parent) == os.path.abspath(out):
            reserved.append(target.name)
    if data == "full":
        try:
            load_mnist("full", mnist_dir)
        except DataError as error:
            raise click.UsageError(str(error)) from None
    jobs = jobs or GradeConfig.jobs
    config = GradeConfig(out=out, data=data, mnist_dir=mnist_dir, timeout=timeout, max_memory_mb=max_memory_mb,
                         submission_timeout=submission_timeout, resume=resume, isolate_network=not allow_network,
                         jobs=jobs, lang=lang, cluster=cluster)
    results = grade_all(list(paths), config, reserved=tuple(reserved), intake=intake, overrides=overrides)
    try:
        if junit:
            from .junit import write_junit
            write_junit(results, junit)
        if summary_md:
            from .summary import write_summary_md
            write_summary_md(results, summary_md)
    except OSError as error:
        raise click.ClickException(f"cannot write {error.filename or 'a report'}: {error.strerror or error}") \
            from None  # exit status 1
    below = [r.name for r in results if fail_under is not None and r.max_score
             and 100 * r.score / r.max_score < fail_under]
    if below:
        click.echo(f"below {fail_under:g}%: {', '.join(below)}", err=True)
        sys.exit(1)


@cli.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--gradebook", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The gradebook CSV downloaded from Canvas (Grades > Export) or Moodle (grading worksheet).")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Folder for the filled gradebook (same file name), the feedback zip and export.txt.")
@click.option("--assignment", default=None,
              help="Part of the name of the gradebook column to fill (Canvas: this assignment's column).")
def export(results: Path, gradebook: Path, out: Path, assignment: str | None) -> None:
    """Fill an LMS gradebook from the RESULTS folder (the --out of `grader grade`) and zip the feedback."""
    from .export import ExportError, export as run

    try:
        done = run(results, gradebook, out, assignment)
    except ExportError as error:
        raise click.UsageError(str(error)) from None
    click.echo(done.report().rstrip("\n"))


@cli.command()
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the Gradescope autograder zip.")
def gradescope(out: Path) -> None:
    """Build a Gradescope autograder bundle (setup.sh, run_autograder)."""
    from .gradescope import build_bundle
    click.echo(f"wrote {build_bundle(out)}")


@cli.command()
@click.option("--check", is_flag=True, help="Fail (status 1) when assignments/ is not up to date.")
def generate(check: bool) -> None:
    """Write the student templates in assignments/ (and assignments/zh/) from the reference notebooks."""
    from . import notebooks
    from .generate import generate as run

    reference = notebooks.reference_dir()
    try:
        stale = run(reference, reference.parent / "assignments", check=check)
    except ValueError as error:  # notebooks and exercise folders do not match
        click.echo(f"grader: error: {error}", err=True)
        sys.exit(1)
    if check and stale:
        click.echo(f"assignments/ is stale: {', '.join(stale)}; run `grader generate`", err=True)
        sys.exit(1)
    click.echo(f"{'checked' if check else 'wrote'} {len(list(reference.glob('*.ipynb')))} templates"
               + (f" ({len(stale)} changed)" if stale and not check else ""))


@cli.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="An empty or new folder for the student bundle.")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="The bundle's language: its notebooks (assignments/<lang>/) and README; the self-checks speak it.")
def release(out: Path, lang: str) -> None:
    """Write what students get: the templates, a README and the self-check package."""
    from .release import release as write_release
    try:
        write_release(out, lang)
    except FileExistsError as error:
        raise click.UsageError(str(error)) from None
    except ValueError as error:  # a stale template, or notebooks and exercise folders that do not match
        click.echo(f"grader: error: {error}", err=True)
        sys.exit(1)
    click.echo(f"wrote the student bundle to {out}")


def _intake(paths: tuple[Path, ...], layout: str, roster_file: Path | None):
    """The intake.Plan of an LMS download or a folder of student folders; None for plain submissions."""
    from .intake import IntakeError, plan
    from .roster import RosterError, read_roster

    if layout == "single" or (layout == "auto" and len(paths) > 1):
        if roster_file is not None:
            raise click.UsageError("--roster needs one LMS download or folder of student folders as PATH "
                                   "(see --layout)")
        return None
    if len(paths) > 1:
        raise click.UsageError(f"--layout {layout} takes one PATH (the download: a zip or a folder), "
                               f"not {len(paths)}")
    notes: list[str] = []
    try:
        roster = read_roster(roster_file) if roster_file is not None else None
        found = plan(paths[0], None if layout == "auto" else layout, roster, notes)
    except (IntakeError, RosterError) as error:
        raise click.UsageError(str(error)) from None
    for note in notes:
        _stderr.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    if found is None and roster_file is not None:
        raise click.UsageError(f"--roster: {paths[0]} is not an LMS download (no Moodle or Gradescope names, "
                               "not a zip with Canvas names); say which with --layout canvas|moodle|gradescope, "
                               "or --layout folders for a folder of student folders")
    return found


def _unwritable_file(path: Path) -> str | None:
    """Why a report file cannot be written at `path` (known before grading), or None."""
    if path.is_dir():
        return "it is a folder"
    folder = Path(os.path.abspath(path)).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # write_atomic makes the missing folders
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable"
    return None


_stopped_by: list[int] = []


def _stop(signum, frame) -> None:
    """SIGTERM (and SIGHUP) end a run as Ctrl-C does: finished results kept, no traceback."""
    if not _stopped_by:  # a second one would interrupt the clean-up of the first
        _stopped_by.append(signum)
        raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # nohup's choice stands
        signal.signal(signal.SIGHUP, _stop)
    try:
        cli.main(standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"grader: error: {error.format_message()}", err=True)
        sys.exit(2)
    except click.ClickException as error:  # grade_batch.OutputError: --out cannot be written
        click.echo(f"grader: error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except (click.Abort, KeyboardInterrupt):
        signum = _stopped_by[0] if _stopped_by else signal.SIGINT
        name = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
        click.echo(f"grader: interrupted{name}", err=True)
        sys.exit(128 + signum)

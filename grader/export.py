"""Grades out to an LMS: fill the gradebook CSV an instructor downloads from Canvas or Moodle, and zip
the feedback pages the way the LMS's bulk upload takes them.

- Canvas (Grades > Export): `Student, ID, SIS User ID, SIS Login ID, Section, <Assignment (id)>...`, a
  "Points Possible" row; rows matched by `ID` (the Canvas user id, which a Canvas download's file
  names carry). Feedback: `<student>_<userid>_<fileid>_feedback.html`, the names of Canvas's
  "Re-Upload Submissions" (it attaches each file as a comment on the submission whose user id and
  file id its name carries; a file id is known only for a student graded from a Canvas download).
- Moodle (grading worksheet, "Download grading worksheet"): `Identifier, Full name, Email address,
  Status, Grade, Maximum Grade, ...`, rows matched by `Participant NNN` (the id its download's folders
  carry). Feedback: `<Full name>_<NNN>_assignfeedback_file_/feedback.html`, the folder names its
  "Upload multiple feedback files in a zip" parses.

Only the cells of the chosen column change: every other record keeps its text byte for byte (the
csv module parses; a record is written again, in the file's dialect, only when its grade changes), and
so do the encoding, the BOM and the line endings. Scores are scaled to the LMS's maximum for the
column (Canvas's Points Possible, Moodle's Maximum Grade) when it states one.
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .load import safe_name
from .report import read_results, write_atomic
from .results import SubmissionResult

MAX_GRADEBOOK_BYTES = 64 * 1024 ** 2
FEEDBACK = "feedback.html"


class ExportError(ValueError):
    """A gradebook or folder that cannot be used: the one-line message says why."""


@dataclass
class Export:
    lms: str
    column: str
    gradebook: Path = Path()
    feedback_zip: Path = Path()
    filled: list[tuple[str, str, str]] = field(default_factory=list)   # (row's id, its name, the grade)
    unmatched_rows: list[str] = field(default_factory=list)            # students of the gradebook without a result
    unmatched_results: list[str] = field(default_factory=list)         # results without a row
    notes: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"{self.lms} gradebook, column {self.column!r}: {len(self.filled)} grades filled in {self.gradebook}",
                 f"feedback pages: {self.feedback_zip}"]
        lines += self.notes
        for title, items in (("rows with no result (left as they were)", self.unmatched_rows),
                             ("results with no row (not exported)", self.unmatched_results)):
            if items:
                lines.append(f"{title}: {len(items)}")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines) + "\n"


@dataclass
class _Record:
    fields: list[str]
    raw: str                # its text in the file, line ending included


def _key(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip()


def _read(path: Path) -> tuple[str, str, type[csv.Dialect], list[_Record]]:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_GRADEBOOK_BYTES + 1)
    except OSError as error:
        raise ExportError(f"cannot read the gradebook {path}: {error.strerror or error}") from None
    if len(raw) > MAX_GRADEBOOK_BYTES:
        raise ExportError(f"the gradebook {path} is over {MAX_GRADEBOOK_BYTES // 2 ** 20} MiB")
    try:  # the BOM stays in the first record's text, so it is written back as it was
        encoding, text = "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding, text = "latin-1", raw.decode("latin-1")  # every byte back as it was
    if "\x00" in text or not text.strip():
        raise ExportError(f"the gradebook {path} is not a CSV file")

    class Dialect(csv.excel):
        pass
    try:
        Dialect.delimiter = csv.Sniffer().sniff(text[:16384], delimiters=",;\t").delimiter
    except csv.Error:
        pass
    lines = list(io.StringIO(text, newline=""))
    records, done = [], 0
    try:
        reader = csv.reader(iter(lines), Dialect)
        for fields in reader:
            records.append(_Record(fields, "".join(lines[done:reader.line_num])))
            done = reader.line_num
    except csv.Error as error:
        raise ExportError(f"the gradebook {path} is not a CSV file ({error})") from None
    return encoding, text, Dialect, records


def _write_record(record: _Record, dialect: type[csv.Dialect]) -> str:
    """The record in the file's dialect, quoted as its original was (every field, or only when needed)."""
    body = record.raw.rstrip("\r\n")
    ending = record.raw[len(body):]
    quoted = body.lstrip("\ufeff").startswith(dialect.quotechar) and body.endswith(dialect.quotechar)
    buffer = io.StringIO()
    csv.writer(buffer, dialect, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL,
               lineterminator="").writerow(record.fields)
    bom = "\ufeff" if body.startswith("\ufeff") else ""
    return bom + buffer.getvalue().removeprefix("\ufeff") + ending


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value > 0 else None


def _pick(headers: list[str], candidates: list[int], assignment: str | None, what: str) -> int:
    if assignment is not None:
        chosen = [i for i in candidates if assignment.casefold() in _key(headers[i]).casefold()]
    else:
        chosen = candidates
    names = ", ".join(repr(_key(headers[i])) for i in (chosen or candidates)[:6])
    if not chosen:
        raise ExportError(f"no {what} column matches --assignment {assignment!r} (the columns: {names})")
    if len(chosen) > 1:
        raise ExportError(f"{len(chosen)} {what} columns match"
                          + (f" --assignment {assignment!r}" if assignment else "; choose one with --assignment")
                          + f": {names}")
    return chosen[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold()) or "student"


def _results_by_id(results: list[SubmissionResult], export: Export) -> dict[str, SubmissionResult]:
    by_id: dict[str, SubmissionResult] = {}
    for result in results:
        student_id = result.student.get("id") if isinstance(result.student.get("id"), str) else ""
        if not student_id:
            export.unmatched_results.append(f"{result.name}: no student id (graded from a path, not an LMS download)")
            continue
        other = by_id.get(student_id)
        if other is not None:  # the same student in two folders: the later grading counts
            keep, drop = sorted((other, result), key=lambda r: str(r.audit.get("graded_at", "")))[::-1]
            export.notes.append(f"note: {drop.name} and {keep.name} are both student {student_id}; "
                                f"{keep.name} (graded later) is exported")
            by_id[student_id] = keep
        else:
            by_id[student_id] = result
    return by_id


def export(results_dir: Path, gradebook: Path, out: Path, assignment: str | None = None) -> Export:
    if not results_dir.is_dir():
        raise ExportError(f"{results_dir} is not a folder of results (the --out of `grader grade`)")
    results, _ = read_results(results_dir)
    if not results:
        raise ExportError(f"{results_dir} holds no results.json")
    encoding, _, dialect, records = _read(gradebook)
    headers = [_key(h) for h in records[0].fields]
    if "ID" in headers and "Student" in headers:
        lms, id_at = "canvas", headers.index("ID")
        candidates = [i for i, h in enumerate(headers) if re.search(r"\(\d+\)$", h)]
        if not candidates:
            raise ExportError(f"the Canvas gradebook {gradebook} has no assignment column (named '<name> (<id>)')")
        column = _pick(records[0].fields, candidates, assignment, "assignment")
        maximum_at = None
    elif "Identifier" in headers and "Grade" in headers:
        lms, id_at = "moodle", headers.index("Identifier")
        column = headers.index("Grade") if assignment is None else \
            _pick(records[0].fields, list(range(len(headers))), assignment, "worksheet")
        maximum_at = headers.index("Maximum Grade") if "Maximum Grade" in headers else None
    else:
        raise ExportError(f"{gradebook} is neither a Canvas gradebook (Student, ID, ... columns) nor a Moodle "
                          "grading worksheet (Identifier, Full name, ..., Grade columns)")
    name_at = headers.index("Student" if lms == "canvas" else "Full name") \
        if ("Student" if lms == "canvas" else "Full name") in headers else id_at
    report = Export(lms, headers[column])
    by_id = _results_by_id(results, report)

    points_possible = None
    pages: list[tuple[str, Path]] = []
    used: set[str] = set()
    for record in records[1:]:
        fields = record.fields
        cell = lambda i: fields[i].strip() if i is not None and i < len(fields) else ""  # noqa: E731
        if lms == "canvas" and cell(0) == "Points Possible":
            points_possible = _number(cell(column))
            continue
        raw_id = cell(id_at)
        student_id = re.sub(r"(?i)^participant\s*", "", raw_id) if lms == "moodle" else raw_id
        if not student_id:
            continue  # Canvas's Points Possible, Manual Posting, ... rows: kept as they are
        result = by_id.get(student_id)
        if result is None:
            report.unmatched_rows.append(f"{cell(name_at)} ({raw_id})")
            continue
        maximum = _number(cell(maximum_at)) if maximum_at is not None else points_possible
        score = result.score if not maximum or not result.max_score else result.score / result.max_score * maximum
        grade = f"{score:.2f}" if lms == "moodle" else f"{round(score, 2):g}"
        while len(fields) <= column:
            fields.append("")
        if fields[column] != grade:
            fields[column] = grade
            record.raw = _write_record(record, dialect)
        used.add(result.name)
        report.filled.append((student_id, cell(name_at), grade))
        page = results_dir / result.name / FEEDBACK
        if page.is_file():
            pages.append((_feedback_name(lms, student_id, cell(name_at), result), page))
    if points_possible is None and lms == "canvas":
        report.notes.append("note: no Points Possible row; raw points written")
    elif lms == "canvas":
        report.notes.append(f"scores scaled to the column's {points_possible:g} points possible")
    elif maximum_at is not None:
        report.notes.append("scores scaled to each row's Maximum Grade")
    report.unmatched_results += [f"{r.name} ({r.student.get('id')})" for r in by_id.values() if r.name not in used]
    if lms == "canvas":
        unattached = [name for name, _ in pages if name.count("_") < 3]
        if unattached:  # Canvas attaches a page only to a file the student submitted (its id in the name)
            report.notes.append(f"note: {len(unattached)} feedback page(s) name no Canvas file id (those students "
                                "were not graded from a Canvas download); Canvas's re-upload will skip them: "
                                + ", ".join(unattached[:5]) + (" ..." if len(unattached) > 5 else ""))

    problem = _out_problem(out, gradebook)
    if problem:
        raise ExportError(problem)
    report.gradebook = out / gradebook.name
    report.feedback_zip = out / f"feedback-{lms}.zip"
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_bytes(report.gradebook, "".join(r.raw for r in records).encode(encoding))  # no newline translation
        _write_zip(report.feedback_zip, pages)
        write_atomic(out / "export.txt", report.report())
    except OSError as error:
        raise ExportError(f"cannot write in --out {out}: {error.strerror or error}") from None
    return report


def _feedback_name(lms: str, student_id: str, name: str, result: SubmissionResult) -> str:
    if lms == "moodle":  # Moodle splits the folder's name on "_": the name may hold none
        full_name = safe_name(re.sub(r"[_/\\]", " ", name)) if name else "Participant"
        return f"{full_name}_{student_id}_assignfeedback_file_/{FEEDBACK}"
    label = str(result.student.get("from", ""))
    slug = _slug(label.split("_")[0] if result.student.get("lms") == "canvas" and label else name)
    ids = result.student.get("file_ids")
    file_id = ids[0] if isinstance(ids, list) and ids and str(ids[0]).isdigit() else None
    return f"{slug}_{student_id}_{file_id}_feedback.html" if file_id else f"{slug}_{student_id}_feedback.html"


def _out_problem(out: Path, gradebook: Path) -> str | None:
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    target = out / gradebook.name
    if target.exists() and os.path.samefile(target, gradebook):
        return f"--out {out} would overwrite the gradebook {gradebook}; choose another folder"
    return None


def _temporary(path: Path) -> str:
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o644)
    return name


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = _temporary(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_zip(path: Path, pages: list[tuple[str, Path]]) -> None:
    tmp = _temporary(path)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, page in pages:
                archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), page.read_bytes(),
                                 compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

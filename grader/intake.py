"""Getting submissions in from an LMS: a Canvas, Moodle or Gradescope download (a zip or the folder it
unpacks to) or a folder of GitHub Classroom repositories becomes one submission folder per student,
with the student's LMS id kept, and a report of every file that could not be attributed.

Two steps, so that every problem of the download is a one-line usage error before grading starts:
`plan` reads the listing only (a zip's central directory, a folder's entries: nothing is extracted or
followed), groups the files per student and matches the roster; `Plan.materialize` then copies each
student's notebooks into the run's private folder (grade_batch: inside the run folder, and listed in
the run's submissions, so that no student process can read them).

A download is hostile input: a zip's names may lead outside (`../x`, `/etc/x`), be links, or promise
gigabytes. Files are never written under a name from the download: each student's folder and file
names go through load.safe_name, entries that are links, special files or encrypted are skipped, and
the number of entries and the bytes extracted are capped (zipfile also stops reading a member at its
declared size, whatever the compressed stream holds).
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .load import MAX_NOTEBOOK_BYTES, safe_name
from .roster import Roster, RosterEntry

LAYOUTS = ("canvas", "moodle", "gradescope", "folders")
MAX_ENTRIES = 20_000                    # files in one download (a course of 500 with 40 files each)
MAX_TOTAL_BYTES = 4 * 1024 ** 3         # declared size of everything in a zip, and bytes extracted
METADATA = "submission_metadata.yml"    # Gradescope's export
MAX_METADATA_BYTES = 64 * 1024 ** 2
_NOISE = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini", ".git"}  # what a Mac, Windows or git adds
_PRUNED = {".git", ".ipynb_checkpoints", "__MACOSX"}  # folders never walked (a repository's objects)

# Canvas: <student>_<userid>_<fileid>_<name>, or <student>_LATE_<userid>_<fileid>_<name> (its
# "Download Submissions"); a resubmitted file keeps its name with -1, -2 ... before the extension.
CANVAS = re.compile(r"^(?P<who>[^_/]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<file>\d+)_(?P<name>.+)$")
# Moodle: a folder per participant, <Full Name>_<participant id>_assignsubmission_<plugin>_ (older
# versions: the same prefix on flat file names instead of a folder).
MOODLE = re.compile(r"^(?P<who>[^_/]+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?(?P<name>.*)$")
GRADESCOPE = re.compile(r"^submission_\d+$")
_RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)$")


class IntakeError(ValueError):
    """A download or roster that cannot be used: the one-line message says why."""


@dataclass
class Entry:
    name: str                           # its path inside the download, '/'-separated
    size: int
    info: zipfile.ZipInfo | None = None  # a zip member, or
    path: Path | None = None            # a file of a folder


@dataclass
class Student:
    id: str                             # the LMS's id: Canvas user id, Moodle participant id, ...
    name: str = ""
    email: str = ""
    label: str = ""                     # where it came from: the Canvas prefix, the Moodle folder, ...
    files: list[Entry] = field(default_factory=list)
    file_ids: list[str] = field(default_factory=list)  # Canvas file ids (a feedback re-upload names one)
    late: bool = False
    notes: list[str] = field(default_factory=list)     # files superseded or not graded

    def record(self, layout: str) -> dict:
        """What results.json keeps of the student (extra_data.student)."""
        record = {"id": self.id, "name": self.name, "email": self.email, "lms": layout, "from": self.label}
        if self.file_ids:
            record["file_ids"] = self.file_ids
        if self.late:
            record["late"] = True
        return record


@dataclass
class Source:
    """What a materialized submission folder stands for (grade_batch: names, identity, results)."""
    identity: str                       # stable across downloads: `<layout>:<id>` (--resume, regrades)
    label: str                          # results.json's path: `<download>#<label>`
    name: str                           # its natural result folder name
    student: dict


@dataclass
class Plan:
    download: Path
    layout: str
    students: list[Student] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)   # "<name>: why"
    skipped: list[str] = field(default_factory=list)        # unsafe entries, never read
    missing: list[RosterEntry] = field(default_factory=list)  # on the roster, no submission
    unknown: list[Student] = field(default_factory=list)    # submitted, not on the roster
    roster: Roster | None = None

    def identity(self, student_id: str) -> str:
        return f"{self.layout}:{student_id}"

    def natural_name(self, name: str, student_id: str) -> str:
        words = re.sub(r"\s+", "_", name.strip())
        return safe_name(f"{words}_{student_id}" if words and words != student_id else student_id)

    def materialize(self, into: Path) -> dict[Path, Source]:
        """Copy each student's notebooks into `into/<n>/` (a private folder); returns folder -> Source."""
        into.mkdir(mode=0o700, parents=True, exist_ok=True)
        sources: dict[Path, Source] = {}
        budget = [MAX_TOTAL_BYTES]
        archive = zipfile.ZipFile(self.download) if self.download.is_file() else None
        try:
            for number, student in enumerate(self.students, 1):
                folder = into / f"s{number}"  # never a name from the download
                folder.mkdir(mode=0o700)
                taken: set[str] = set()
                for entry in student.files:
                    if not _is_notebook(entry.name):
                        continue
                    name = safe_name(PurePosixPath(entry.name).name)
                    name += "" if name.lower().endswith(".ipynb") else ".ipynb"  # `..ipynb` became `__ipynb`
                    target = _unique(folder, name, taken)
                    problem = _copy(entry, archive, target, budget)
                    if problem:
                        student.notes.append(f"{entry.name}: {problem}; not graded")
                sources[folder] = Source(self.identity(student.id), f"{self.download}#{student.label}",
                                         self.natural_name(student.name, student.id), student.record(self.layout))
        finally:
            if archive is not None:
                archive.close()
        return sources

    def report(self) -> str:
        """The intake report (written as <out>/intake.txt, summarised on the terminal)."""
        lines = [f"download: {self.download} ({self.layout})", f"students with files: {len(self.students)}"]
        if self.roster is not None:
            lines.append(f"roster: {self.roster.path} ({len(self.roster.entries)} students)")
        for student in self.students:
            notebooks = [e.name for e in student.files if _is_notebook(e.name)]
            others = [e.name for e in student.files if not _is_notebook(e.name)]
            who = f"{student.name} ({student.id})" if student.name else student.id
            lines.append(f"  {who}: {len(notebooks)} notebook(s) graded" + (" [late]" if student.late else ""))
            lines += [f"    not a notebook, not graded: {name}" for name in others]
            lines += [f"    {note}" for note in student.notes]
        sections = [("files not attributed to any student (not graded)", self.unattributed),
                    ("entries skipped as unsafe (never read)", self.skipped),
                    ("on the roster, no submission (a zero in grades.csv)",
                     [f"{e.name} ({e.id})" if e.name else e.id for e in self.missing]),
                    ("submitted, not on the roster (graded)",
                     [f"{s.name} ({s.id})" if s.name else s.id for s in self.unknown])]
        for title, items in sections:
            if items:
                lines.append(f"{title}: {len(items)}")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One line for the terminal."""
        parts = [f"{self.layout} download, {len(self.students)} students"]
        if self.unattributed:
            parts.append(f"{len(self.unattributed)} file(s) not attributed to a student: "
                         + ", ".join(item.split(": ")[0] for item in self.unattributed[:5])
                         + (" ..." if len(self.unattributed) > 5 else ""))
        if self.skipped:
            parts.append(f"{len(self.skipped)} unsafe entr{'y' if len(self.skipped) == 1 else 'ies'} skipped")
        if self.missing:
            parts.append(f"{len(self.missing)} on the roster with no submission: "
                         + ", ".join(e.name or e.id for e in self.missing[:5]) + (" ..." if len(self.missing) > 5 else ""))
        if self.unknown:
            parts.append(f"{len(self.unknown)} not on the roster")
        return "; ".join(parts)


# --------------------------------------------------------------------------- listing
def _is_notebook(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return name.lower().endswith(".ipynb") and ".ipynb_checkpoints" not in parts \
        and not name.endswith(".executed.ipynb")


def _unsafe(name: str) -> str | None:
    """Why a zip member's name is not a plain relative path inside the download, or None."""
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute name"
    parts = name.split("/")
    if ".." in parts:
        return "a name leading outside the download"
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        return "a name with control characters"
    return None


def _list_zip(path: Path, skipped: list[str]) -> list[Entry]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise IntakeError(f"{path} is not a zip file that can be read ({getattr(error, 'strerror', None) or error})") \
            from None
    if len(infos) > MAX_ENTRIES:
        raise IntakeError(f"{path} holds {len(infos)} entries, over the limit of {MAX_ENTRIES}")
    total = sum(max(info.file_size, 0) for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise IntakeError(f"{path} would unpack to {total / 2 ** 30:.1f} GiB, over the limit of "
                          f"{MAX_TOTAL_BYTES / 2 ** 30:.0f} GiB")
    entries = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        why = _unsafe(name)
        if why is None and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            why = "a link" if stat.S_ISLNK(mode) else "not a regular file"
        if why is None and info.flag_bits & 0x1:
            why = "encrypted"
        if why:
            skipped.append(f"{name!r}: {why}")
            continue
        entries.append(Entry(name.strip("/"), info.file_size, info=info))
    return entries


def _list_folder(root: Path, skipped: list[str]) -> list[Entry]:
    entries = []
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        here = Path(folder)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                skipped.append(f"{(here / name).relative_to(root).as_posix()!r}: a link")
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and d not in _PRUNED)
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root).as_posix()
            try:
                info = path.lstat()
            except OSError as error:
                skipped.append(f"{relative!r}: cannot be read ({error.strerror})")
                continue
            if not stat.S_ISREG(info.st_mode):
                skipped.append(f"{relative!r}: {'a link' if stat.S_ISLNK(info.st_mode) else 'not a regular file'}")
                continue
            entries.append(Entry(relative, info.st_size, path=path))
            if len(entries) > MAX_ENTRIES:
                raise IntakeError(f"{root} holds more than {MAX_ENTRIES} files, over the limit")
    return entries


def _noise(name: str) -> bool:
    return any(part in _NOISE or part.startswith("._") for part in name.split("/"))


def _unwrap(entries: list[Entry]) -> list[Entry]:
    """A zip of the download's folder (one top folder holding everything): list its content instead.
    Not when that folder is itself one student's (a Moodle or Gradescope submission folder)."""
    tops = {e.name.split("/")[0] for e in entries}
    if len(tops) != 1 or not all("/" in e.name for e in entries):
        return entries
    top = tops.pop()
    if MOODLE.match(top) or GRADESCOPE.match(top):
        return entries
    for e in entries:
        e.name = e.name.split("/", 1)[1]
    return _unwrap(entries)


# --------------------------------------------------------------------------- layouts
def detect(entries: list[Entry]) -> str | None:
    """The layout the listing shows; None when it shows none; IntakeError when it shows several."""
    top_files = [e.name for e in entries if "/" not in e.name]
    top_folders = {e.name.split("/")[0] for e in entries if "/" in e.name}
    found = []
    if METADATA in top_files:
        found.append("gradescope")
    if any(CANVAS.match(name) for name in top_files) \
            and sum(bool(CANVAS.match(n)) for n in top_files) * 2 >= len(top_files):
        found.append("canvas")
    if any(MOODLE.match(name) for name in top_folders | set(top_files)):
        found.append("moodle")
    if len(found) > 1:
        raise IntakeError(f"the download looks like {' and '.join(found)} at once; choose with --layout")
    return found[0] if found else None


def _canvas(entries: list[Entry], plan: Plan) -> None:
    by_id: dict[str, Student] = {}
    for entry in entries:
        match = CANVAS.match(entry.name) if "/" not in entry.name else None
        if not match:
            plan.unattributed.append(f"{entry.name}: not named <student>_<userid>_<fileid>_<file> as Canvas names "
                                     "the files of a submission")
            continue
        student = by_id.setdefault(match["id"], Student(match["id"], label=f"{match['who']}_{match['id']}"))
        student.late = student.late or bool(match["late"])
        entry.name, fid = match["name"], match["file"]
        student.files.append(entry)
        student.file_ids.append(fid)
    for student in by_id.values():
        _keep_latest(student)
    plan.students = list(by_id.values())


def _keep_latest(student: Student) -> None:
    """Canvas renames a file resubmitted under the same name `hw-1.ipynb`, `hw-2.ipynb`: grade the latest."""
    latest: dict[str, tuple[int, int]] = {}
    def key(index: int) -> tuple[str, int]:
        stem, dot, ext = student.files[index].name.rpartition(".")
        stem = stem if dot else student.files[index].name
        match = _RESUBMITTED.match(stem)
        return ((match["stem"] if match else stem) + dot + (ext if dot else ""), int(match["n"]) if match else 0)
    for index in range(len(student.files)):
        base, n = key(index)
        rank = (n, int(student.file_ids[index]))
        if base not in latest or rank > latest[base]:
            latest[base] = rank
    keep = []
    for index in range(len(student.files)):
        base, n = key(index)
        if (n, int(student.file_ids[index])) == latest[base]:
            keep.append(index)
        else:
            student.notes.append(f"{student.files[index].name}: superseded by a later resubmission; not graded")
    student.files = [student.files[i] for i in keep]
    student.file_ids = [student.file_ids[i] for i in keep]


def _moodle(entries: list[Entry], plan: Plan) -> None:
    by_id: dict[str, Student] = {}
    for entry in entries:
        top, _, rest = entry.name.partition("/")
        match = MOODLE.match(top)
        if not match or (not rest and not match["name"]):
            plan.unattributed.append(f"{entry.name}: not in a <Full Name>_<id>_assignsubmission_<type>_ folder "
                                     "as Moodle names a participant's files")
            continue
        student = by_id.setdefault(match["id"], Student(match["id"], match["who"].strip(), label=top if rest else
                                                        f"{match['who']}_{match['id']}"))
        entry.name = rest or match["name"]
        student.files.append(entry)
    plan.students = list(by_id.values())


def _gradescope(entries: list[Entry], plan: Plan, read) -> None:
    """Gradescope's "Export Submissions": submission_<id>/ folders and submission_metadata.yml, a
    mapping of those folders to their submitters (Ruby symbol keys: `:submitters:` with `:name:`,
    `:sid:`, `:email:`), read with PyYAML's safe loader."""
    import yaml

    meta_entry = next(e for e in entries if e.name == METADATA)
    if meta_entry.size > MAX_METADATA_BYTES:
        raise IntakeError(f"{METADATA} is over {MAX_METADATA_BYTES // 2 ** 20} MiB")
    try:
        metadata = yaml.safe_load(read(meta_entry))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as error:
        raise IntakeError(f"{METADATA} cannot be read as YAML ({str(error).splitlines()[0][:120]})") from None
    if not isinstance(metadata, dict):
        raise IntakeError(f"{METADATA} is not a mapping of submission folders")
    by_folder: dict[str, Student] = {}
    for folder, info in metadata.items():
        submitters = info.get(":submitters") if isinstance(info, dict) else None
        people = [p for p in submitters if isinstance(p, dict)] if isinstance(submitters, list) else []
        if not people:
            continue
        first = people[0]
        text = lambda key, p=first: str(p.get(key) or "").strip()  # noqa: E731
        student = Student(text(":sid") or text(":email") or str(folder), text(":name"), text(":email"), str(folder))
        if len(people) > 1:
            student.notes.append("a group submission of " + ", ".join(str(p.get(":name", "")) for p in people)
                                 + f"; recorded under {student.name or student.id}")
        by_folder[str(folder)] = student
    for entry in entries:
        if entry.name == METADATA:
            continue
        top, _, rest = entry.name.partition("/")
        if top in by_folder and rest:
            entry.name = rest
            by_folder[top].files.append(entry)
        else:
            plan.unattributed.append(f"{entry.name}: not in a submission folder that {METADATA} lists")
    plan.students = [s for s in by_folder.values() if s.files]


def _folders(entries: list[Entry], plan: Plan) -> None:
    by_folder: dict[str, Student] = {}
    for entry in entries:
        top, _, rest = entry.name.partition("/")
        if not rest:
            plan.unattributed.append(f"{entry.name}: not in a student's folder")
            continue
        student = by_folder.setdefault(top, Student(top, label=top))
        entry.name = rest
        student.files.append(entry)
    plan.students = list(by_folder.values())


def _match_roster(plan: Plan, roster: Roster) -> None:
    """Name the students from the roster (matched by id; a GitHub Classroom folder `<assignment>-<id>`
    by its suffix; a Gradescope submitter also by e-mail); list those missing and those not on it."""
    plan.roster = roster
    matched: set[str] = set()
    for student in plan.students:
        entry = roster.find(student.id, student.email, suffix=plan.layout == "folders")
        if entry is None or entry.id in matched:
            plan.unknown.append(student)
            continue
        matched.add(entry.id)
        student.id = entry.id
        student.name = entry.name or student.name
        student.email = entry.email or student.email
    plan.missing = [e for e in roster.entries if e.id not in matched]


def plan(download: Path, layout: str | None, roster: Roster | None = None,
         notes: list[str] | None = None) -> Plan | None:
    """Read a download's listing and group it per student. `layout` None: detect it, and return None
    when the download shows no LMS layout (a folder then stays one student's submission; `notes`
    gets why when it might have been one)."""
    skipped: list[str] = []
    is_zip = download.is_file() and zipfile.is_zipfile(download)
    if download.is_file() and not is_zip:
        if layout is None:
            return None  # a notebook
        raise IntakeError(f"{download} is neither a folder nor a zip file")
    entries = _list_zip(download, skipped) if is_zip else _list_folder(download, skipped)
    entries = _unwrap([e for e in entries if not _noise(e.name)])
    found = layout or detect(entries)
    if layout is None and found == "canvas" and not is_zip:
        # Canvas's flat names (<a>_<digits>_<digits>_<name>) are also names a student may give their own
        # notebooks (ch_11_1_leaky.ipynb): a folder is a Canvas download only when --layout says so.
        if notes is not None:
            notes.append(f"{download} is named like an unzipped Canvas download; it is graded as one "
                         "submission (add --layout canvas to grade it per student)")
        return None
    if found is None:
        if is_zip and entries and all("/" in e.name for e in entries):
            found = "folders"  # a zip of repositories, one folder each
        elif is_zip:
            raise IntakeError(f"cannot tell which LMS {download} comes from (no Canvas, Moodle or Gradescope "
                              "names); choose with --layout")
        else:
            return None
    result = Plan(download, found, skipped=skipped)
    if found == "gradescope":
        if not any(e.name == METADATA for e in entries):
            raise IntakeError(f"{download} has no {METADATA} (Gradescope's export of submissions has one)")
        _gradescope(entries, result, lambda e: _read(e, download))
    else:
        {"canvas": _canvas, "moodle": _moodle, "folders": _folders}[found](entries, result)
    if not result.students:
        raise IntakeError(f"no student's files found in {download} as a {found} download"
                          + (f" ({len(result.unattributed)} files not attributed)" if result.unattributed else ""))
    result.students.sort(key=lambda s: (s.name.casefold(), s.id))
    if roster is not None:
        _match_roster(result, roster)
    return result


# --------------------------------------------------------------------------- copying
def _read(entry: Entry, download: Path) -> bytes:
    if entry.path is not None:
        with open(entry.path, "rb") as f:
            return f.read(MAX_METADATA_BYTES + 1)
    with zipfile.ZipFile(download) as archive, archive.open(entry.info) as f:
        return f.read(MAX_METADATA_BYTES + 1)


def _unique(folder: Path, name: str, taken: set[str]) -> Path:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}" if dot else f"{name}-{n}"
    taken.add(candidate.casefold())
    return folder / candidate


def _copy(entry: Entry, archive: zipfile.ZipFile | None, target: Path, budget: list[int]) -> str | None:
    """Copy one notebook, at most MAX_NOTEBOOK_BYTES and what is left of the run's budget; the reason
    when it is not copied."""
    if entry.size > MAX_NOTEBOOK_BYTES:
        return f"{entry.size / 2 ** 20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2 ** 20} MB limit"
    limit = min(MAX_NOTEBOOK_BYTES, budget[0])
    try:
        if entry.info is not None:
            source = archive.open(entry.info)
        else:  # O_NOFOLLOW: the file may have become a link since it was listed
            source = os.fdopen(os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb")
        with source, open(target, "xb") as out:
            copied = 0
            while chunk := source.read(1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise IntakeError("larger than its listed size or the download's limit")
                out.write(chunk)
    except (IntakeError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        target.unlink(missing_ok=True)
        return f"cannot be extracted ({getattr(error, 'strerror', None) or error})"
    budget[0] -= copied
    return None

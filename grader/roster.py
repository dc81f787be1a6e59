"""The class roster (--roster FILE.csv): who should have submitted, by LMS id, with a name and an e-mail.

Read with the csv module (its dialect sniffed: commas, semicolons or tabs, as spreadsheets write
them); the columns are found by their header, in any of the spellings LMS exports and spreadsheets use.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .csvrows import csv_rows

MAX_ROSTER_BYTES = 16 * 1024 ** 2

# Header spellings, compared without case, spaces, dashes, underscores and dots.
ID_HEADERS = ("id", "studentid", "userid", "canvasid", "canvasuserid", "participant", "participantid",
              "identifier", "sid", "studentnumber", "githubusername", "github", "login", "username")
NAME_HEADERS = ("name", "fullname", "student", "studentname", "displayname", "sortablename")
EMAIL_HEADERS = ("email", "emailaddress", "mail", "emails")


class RosterError(ValueError):
    """A roster that cannot be used: the one-line message says why."""


@dataclass
class RosterEntry:
    id: str
    name: str = ""
    email: str = ""


@dataclass
class Roster:
    path: Path
    entries: list[RosterEntry] = field(default_factory=list)

    def find(self, student_id: str, email: str = "", suffix: bool = False) -> RosterEntry | None:
        """The entry of this id (or e-mail); with `suffix`, also of a folder named `<anything>-<id>`
        (GitHub Classroom names a student's repository `<assignment>-<username>`)."""
        for entry in self.entries:
            if entry.id == student_id or (email and entry.email and entry.email.casefold() == email.casefold()):
                return entry
        if suffix:
            matches = [e for e in self.entries if student_id.casefold().endswith("-" + e.id.casefold())]
            if len(matches) == 1:
                return matches[0]
        return None


def _key(header: str) -> str:
    return re.sub(r"[\s_.\-]+", "", header.strip().lstrip("\ufeff")).casefold()


def _column(headers: list[str], spellings: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in headers]
    for spelling in spellings:  # the first spelling found wins: "id" before "sis login id"
        if spelling in keys:
            return keys.index(spelling)
    return None


def _participant(value: str) -> str:
    """Moodle's worksheet says `Participant 123` where its download says 123."""
    match = re.fullmatch(r"participant\s*(\d+)", value.strip(), re.IGNORECASE)
    return match.group(1) if match else value.strip()


def read_roster(path: Path) -> Roster:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_ROSTER_BYTES + 1)
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error.strerror or error}") from None
    if len(raw) > MAX_ROSTER_BYTES:
        raise RosterError(f"the roster {path} is over {MAX_ROSTER_BYTES // 2 ** 20} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what a spreadsheet on Windows saves
    if "\x00" in text:
        raise RosterError(f"the roster {path} is not a CSV file (binary data)")
    try:
        rows = csv_rows(text)
    except csv.Error as error:
        raise RosterError(f"the roster {path} is not a CSV file ({error})") from None
    if not rows:
        raise RosterError(f"the roster {path} is empty")
    headers = rows[0][1]
    at = {"id": _column(headers, ID_HEADERS), "name": _column(headers, NAME_HEADERS),
          "email": _column(headers, EMAIL_HEADERS)}
    if at["id"] is None:
        shown = ", ".join(h.strip() for h in headers)[:120]
        raise RosterError(f"the roster {path} has no id column (its header is: {shown}; expected one of: id, "
                          "student id, user id, participant, identifier, sid, github_username, ...)")
    roster, seen = Roster(path), {}
    for number, row in rows[1:]:
        cell = lambda key: row[at[key]].strip() if at[key] is not None and at[key] < len(row) else ""  # noqa: E731
        student_id = _participant(cell("id"))
        if not student_id:
            continue
        if student_id in seen:
            raise RosterError(f"the roster {path} lists id {student_id} twice (lines {seen[student_id]} and {number})")
        seen[student_id] = number
        roster.entries.append(RosterEntry(student_id, cell("name"), cell("email")))
    if not roster.entries:
        raise RosterError(f"the roster {path} lists no student")
    return roster

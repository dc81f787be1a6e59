"""Submissions from an LMS and grades back to it (issue 12, parts 1 and 2).

Small files without grading: the layouts (Canvas, Moodle, Gradescope, GitHub Classroom folders) and
their detection, a hostile zip, the roster, the gradebook export. Then one round trip with real
grading: a Canvas zip and a Moodle folder of 5 students (one missing, a stray file), graded with a
roster, exported into a Canvas gradebook and a Moodle grading worksheet, every grade checked on its row.
"""
import copy
import csv
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import intake
from grader.export import ExportError, export
from grader.intake import IntakeError, plan
from grader import results as model
from grader.roster import RosterError, read_roster

GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


def _grader(*args, timeout=300):
    return subprocess.run([*GRADER, *args], capture_output=True, text=True, timeout=timeout)


def _one_line_error(run, *words):
    assert run.returncode == 2, run
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


# --------------------------------------------------------------------------- layouts
def test_canvas_zip_groups_files_per_student_keeps_ids_late_and_the_latest_resubmission(tmp_path):
    download = _zip(tmp_path / "submissions.zip", {
        "smithalice_101_9001_hw.ipynb": b"old",
        "smithalice_101_9002_hw-1.ipynb": NB,       # Canvas's name for the resubmitted hw.ipynb
        "smithalice_101_9003_notes.txt": b"notes",
        "jonesbob_LATE_102_9004_part_one.ipynb": NB,
        "jonesbob_LATE_102_9005_part_two.ipynb": NB,
        "README.txt": b"a stray file",
    })
    found = plan(download, None)
    assert found.layout == "canvas"
    by_id = {s.id: s for s in found.students}
    assert sorted(by_id) == ["101", "102"]
    assert [e.name for e in by_id["101"].files] == ["hw-1.ipynb", "notes.txt"]
    assert by_id["101"].file_ids == ["9002", "9003"] and not by_id["101"].late
    assert any("hw.ipynb: superseded" in note for note in by_id["101"].notes)
    assert [e.name for e in by_id["102"].files] == ["part_one.ipynb", "part_two.ipynb"] and by_id["102"].late
    assert [u.split(":")[0] for u in found.unattributed] == ["README.txt"]
    sources = found.materialize(tmp_path / "private")
    folders = {s.student["id"]: p for p, s in sources.items()}
    assert sorted(os.listdir(folders["101"])) == ["hw-1.ipynb"]  # notebooks only, the latest
    assert (folders["101"] / "hw-1.ipynb").read_bytes() == NB
    assert sorted(os.listdir(folders["102"])) == ["part_one.ipynb", "part_two.ipynb"]
    assert {s.identity for s in sources.values()} == {"canvas:101", "canvas:102"}
    assert "README.txt" in found.report() and "README.txt" in found.summary()


def test_moodle_folder_one_folder_per_participant(tmp_path):
    download = _tree(tmp_path / "moodle", {
        "Alice Smith_501_assignsubmission_file_/01.ipynb": NB,
        "Alice Smith_501_assignsubmission_file_/sub/02.ipynb": NB,
        "Bob Jones_502_assignsubmission_file_/work.ipynb": NB,
        "Bob Jones_502_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "stray.ipynb": NB,
    })
    found = plan(download, None)
    assert found.layout == "moodle"
    by_id = {s.id: s for s in found.students}
    assert by_id["501"].name == "Alice Smith" and sorted(e.name for e in by_id["501"].files) == ["01.ipynb",
                                                                                               "sub/02.ipynb"]
    assert sorted(e.name for e in by_id["502"].files) == ["onlinetext.html", "work.ipynb"]
    assert [u.split(":")[0] for u in found.unattributed] == ["stray.ipynb"]


def test_gradescope_export_reads_submission_metadata(tmp_path):
    metadata = b"""\
submission_111:
  :submitters:
  - :name: Alice Smith
    :sid: '501'
    :email: alice@example.edu
  :created_at: 2025-01-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_222:
  :submitters:
  - :name: Bob Jones
    :sid: ''
    :email: bob@example.edu
"""
    download = _zip(tmp_path / "export.zip", {
        "assignment_9_export/submission_metadata.yml": metadata,
        "assignment_9_export/submission_111/01.ipynb": NB,
        "assignment_9_export/submission_222/work.ipynb": NB,
        "assignment_9_export/submission_333/lost.ipynb": NB,
    })
    found = plan(download, None)
    assert found.layout == "gradescope"
    assert {(s.id, s.name, s.email) for s in found.students} == {
        ("501", "Alice Smith", "alice@example.edu"), ("bob@example.edu", "Bob Jones", "bob@example.edu")}
    assert [u.split(":")[0] for u in found.unattributed] == ["submission_333/lost.ipynb"]


def test_github_classroom_folders_with_a_roster_matched_by_username(tmp_path):
    download = _tree(tmp_path / "repos", {
        "ch11-alice-gh/01.ipynb": NB, "ch11-alice-gh/.git/config": b"x",
        "ch11-bob-gh/work/02.ipynb": NB, "students.txt": b"a stray file"})
    (tmp_path / "roster.csv").write_text("github_username,name,email\nalice-gh,Alice Smith,a@x.edu\n"
                                         "bob-gh,Bob Jones,b@x.edu\ncarol-gh,Carol White,c@x.edu\n")
    assert plan(download, None) is None  # a folder of folders is also one student's work: never guessed
    found = plan(download, "folders", read_roster(tmp_path / "roster.csv"))
    assert {(s.id, s.name) for s in found.students} == {("alice-gh", "Alice Smith"), ("bob-gh", "Bob Jones")}
    assert [e.id for e in found.missing] == ["carol-gh"] and not found.unknown
    assert [u.split(":")[0] for u in found.unattributed] == ["students.txt"]


def test_detection_is_a_one_line_usage_error_when_ambiguous_or_unknown(tmp_path):
    both = _tree(tmp_path / "both", {"smithalice_101_9001_hw.ipynb": NB,
                                     "Bob Jones_502_assignsubmission_file_/w.ipynb": NB})
    with pytest.raises(IntakeError, match="canvas and moodle"):
        plan(both, None)
    assert plan(_tree(tmp_path / "student", {"01_leaky_relu.ipynb": NB}), None) is None  # one student's folder
    assert plan(tmp_path / "student" / "01_leaky_relu.ipynb", None) is None               # a notebook
    _one_line_error(_grader("grade", str(both), "--out", str(tmp_path / "out")), "--layout")
    flat = _zip(tmp_path / "flat.zip", {"a.ipynb": NB})
    _one_line_error(_grader("grade", str(flat), "--out", str(tmp_path / "out")), "cannot tell which LMS")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- a hostile zip
def _entry(name: str, data: bytes = NB, mode: int = 0o100644) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info, data


def test_a_hostile_zip_extracts_nothing_outside_and_follows_no_link(tmp_path):
    download = tmp_path / "evil.zip"
    with zipfile.ZipFile(download, "w") as z:
        for info, data in [_entry("smithalice_101_9001_ok.ipynb"),
                           _entry("../smithalice_101_9002_slip.ipynb"),
                           _entry("/etc/smithalice_101_9003_abs.ipynb"),
                           _entry("smithalice_101_9004_link.ipynb", b"/etc/passwd", 0o120777),
                           _entry("jonesbob_102_9005_..ipynb"),
                           _entry("jonesbob_102_9006_%2e%2e%2fx.ipynb")]:
            z.writestr(info, data)
    found = plan(download, "canvas")
    assert {s.id for s in found.students} == {"101", "102"}
    assert len(found.skipped) == 3 and all(("outside" in s or "absolute" in s or "link" in s) for s in found.skipped)
    private = tmp_path / "run" / "private"
    sources = found.materialize(private)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["evil.zip", "run/private/s1/ok.ipynb", "run/private/s2/%2e%2e%2fx.ipynb",
                       "run/private/s2/__ipynb.ipynb"], written
    assert not any(p.is_symlink() for p in private.rglob("*"))
    assert all(os.path.realpath(p).startswith(str(private)) for p in private.rglob("*"))
    assert len(sources) == 2


def test_zip_bombs_and_entry_floods_are_refused_before_extracting(tmp_path, monkeypatch):
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("smithalice_101_9001_a.ipynb", b"\0" * 3_000_000)  # compresses to a few KB
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 1_000_000)
    with pytest.raises(IntakeError, match="would unpack to"):
        plan(big, None)
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 10 ** 9)
    monkeypatch.setattr(intake, "MAX_ENTRIES", 3)
    many = _zip(tmp_path / "many.zip", {f"smithalice_101_{i}_a{i}.ipynb": NB for i in range(5)})
    with pytest.raises(IntakeError, match="entries, over the limit"):
        plan(many, None)
    monkeypatch.setattr(intake, "MAX_ENTRIES", 100)
    # A member that holds more than its header says: zipfile stops at the declared size, and the
    # copy refuses what goes past the budget.
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 2_000_000)
    found = plan(_zip(tmp_path / "two.zip", {"smithalice_101_1_a.ipynb": b"{" * 1_500_000,
                                            "jonesbob_102_2_b.ipynb": b"{" * 400_000}), None)
    found.students[0].files[0].size = 10  # as a forged header would say
    sources = found.materialize(tmp_path / "private")
    assert sum(p.stat().st_size for p in (tmp_path / "private").rglob("*") if p.is_file()) <= 2_000_000
    assert len(sources) == 2


def test_a_broken_zip_and_a_bad_roster_are_one_line_errors(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    _one_line_error(_grader("grade", str(broken), "--layout", "canvas", "--out", str(tmp_path / "out")),
                    "broken.zip")
    good = _zip(tmp_path / "good.zip", {"smithalice_101_9001_a.ipynb": NB})
    (tmp_path / "roster.csv").write_text("who,when\nalice,now\n")
    _one_line_error(_grader("grade", str(good), "--roster", str(tmp_path / "roster.csv"), "--out",
                            str(tmp_path / "out")), "no id column")
    _one_line_error(_grader("grade", str(good), "--roster", str(tmp_path / "nope.csv"), "--out",
                            str(tmp_path / "out")), "cannot read the roster")
    assert not (tmp_path / "out").exists()


def test_a_link_in_a_downloaded_folder_is_not_followed(tmp_path):
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(b"secret")
    download = _tree(tmp_path / "moodle", {"Alice Smith_501_assignsubmission_file_/ok.ipynb": NB})
    (download / "Alice Smith_501_assignsubmission_file_" / "link.ipynb").symlink_to(secret)
    (download / "Bob Jones_502_assignsubmission_file_").symlink_to(tmp_path)
    found = plan(download, None)
    assert [e.name for e in found.students[0].files] == ["ok.ipynb"] and len(found.students) == 1
    assert len(found.skipped) == 2
    found.materialize(tmp_path / "private")
    assert b"secret" not in b"".join(p.read_bytes() for p in (tmp_path / "private").rglob("*") if p.is_file())


# --------------------------------------------------------------------------- the roster
def test_roster_header_spellings_delimiters_and_bom(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffStudent ID;Full Name;E-mail address\n101;Alice Smith;a@x.edu\n\n"
                     "Participant 102;Bob Jones;b@x.edu\n".encode("utf-8"))
    roster = read_roster(path)
    assert [(e.id, e.name, e.email) for e in roster.entries] == [("101", "Alice Smith", "a@x.edu"),
                                                                  ("102", "Bob Jones", "b@x.edu")]
    path.write_text("id,name\n101,A\n101,B\n")
    with pytest.raises(RosterError, match="twice"):
        read_roster(path)
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(RosterError):
        read_roster(path)


# --------------------------------------------------------------------------- export
def _result(out: Path, name: str, student: dict, score: float) -> None:
    result = model.SubmissionResult(name, tests=[model.TestResult("leaky_relu", "values", 18.0, score, "")], student=student)
    (out / name).mkdir(parents=True)
    (out / name / "results.json").write_text(json.dumps(result.to_gradescope()))
    (out / name / "feedback.html").write_text(f"<p>{name}</p>")


CANVAS_BOOK = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 10 (1001),Chapter 11 autograder (1002),"
               "Chapter 11 quiz (1003),Current Points\r\n"
               "    Points Possible,,,,,10,36,5,(read only)\r\n"
               '"Smith, Alice",101,S101,asmith,A,9,,4,13\r\n'
               '"Jones, Bob",102,S102,bjones,A,8.5,1,,8.5\r\n'
               '"Other, Frank",106,S106,fother,"A, B",7,,,7\r\n')


def test_export_fills_the_canvas_column_by_id_and_keeps_every_other_byte(tmp_path):
    results = tmp_path / "graded"
    _result(results, "Alice_Smith_101", {"id": "101", "name": "Alice Smith", "lms": "canvas",
                                         "from": "smithalice_101", "file_ids": ["9002"]}, 9.0)
    _result(results, "Bob_Jones_102", {"id": "102", "name": "Bob Jones", "lms": "canvas"}, 4.5)
    _result(results, "nobody", {}, 1.0)
    book = tmp_path / "gradebook.csv"
    book.write_bytes(CANVAS_BOOK.encode("utf-8"))
    with pytest.raises(ExportError, match="2 assignment columns match --assignment 'Chapter 11'"):
        export(results, book, tmp_path / "x", "Chapter 11")
    with pytest.raises(ExportError, match="no assignment column matches"):
        export(results, book, tmp_path / "x", "Chapter 12")
    done = export(results, book, tmp_path / "lms", "autograder")
    lines = (tmp_path / "lms" / "gradebook.csv").read_bytes().decode("utf-8").split("\r\n")
    original = CANVAS_BOOK.split("\r\n")
    assert lines[0] == original[0] and lines[0].startswith("\ufeff") and lines[1] == original[1]
    assert lines[2] == '"Smith, Alice",101,S101,asmith,A,9,18,4,13'   # 9/18 of 36 points possible
    assert lines[3] == '"Jones, Bob",102,S102,bjones,A,8.5,9,,8.5'
    assert lines[4] == original[4] and lines[5] == ""
    assert done.unmatched_rows == ["Other, Frank (106)"]
    assert any(u.startswith("nobody: no student id") for u in done.unmatched_results)
    names = zipfile.ZipFile(done.feedback_zip).namelist()
    assert sorted(names) == ["jonesbob_102_feedback.html", "smithalice_101_9002_feedback.html"]
    assert "Other, Frank (106)" in (tmp_path / "lms" / "export.txt").read_text()


def test_export_fills_the_moodle_worksheet_by_participant(tmp_path):
    results = tmp_path / "graded"
    _result(results, "Alice_Smith_501", {"id": "501", "name": "Alice Smith", "lms": "moodle"}, 9.0)
    book = tmp_path / "Grades-Ch11.csv"
    text = ('"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed",'
            '"Feedback comments"\n'
            '"Participant 501","Alice_Smith","a@x.edu","Submitted","","100.00","Yes",""\n'
            '"Participant 502","Bob Jones","b@x.edu","No submission","","100.00","Yes",""\n')
    book.write_text(text)
    done = export(results, book, tmp_path / "lms")
    lines = (tmp_path / "lms" / "Grades-Ch11.csv").read_text().split("\n")
    assert lines[1] == '"Participant 501","Alice_Smith","a@x.edu","Submitted","50.00","100.00","Yes",""'
    assert lines[0] == text.split("\n")[0] and lines[2] == text.split("\n")[2]
    assert done.unmatched_rows == ["Bob Jones (Participant 502)"]
    assert zipfile.ZipFile(done.feedback_zip).namelist() == ["Alice Smith_501_assignfeedback_file_/feedback.html"]
    run = _grader("export", str(results), "--gradebook", str(tmp_path / "results"), "--out", str(tmp_path / "y"))
    _one_line_error(run, "cannot read the gradebook")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    _one_line_error(_grader("export", str(results), "--gradebook", str(tmp_path / "notes.csv"), "--out",
                            str(tmp_path / "y")), "neither a Canvas gradebook", "nor a Moodle grading worksheet")
    _one_line_error(_grader("export", str(results), "--gradebook", str(book), "--out", str(tmp_path)),
                    "would overwrite the gradebook")

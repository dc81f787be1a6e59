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
    assert [[e.name for e in s.files] for s in found.students] == [["01.ipynb"], ["work/02.ipynb"]]  # no .git
    assert [e.id for e in found.missing] == ["carol-gh"] and not found.unknown
    assert [u.split(":")[0] for u in found.unattributed] == ["students.txt"]


def test_detection_is_a_one_line_usage_error_when_ambiguous_or_unknown(tmp_path):
    both = _tree(tmp_path / "both", {"smithalice_101_9001_hw.ipynb": NB,
                                     "Bob Jones_502_assignsubmission_file_/w.ipynb": NB})
    with pytest.raises(IntakeError, match="canvas and moodle"):
        plan(both, None)
    assert plan(_tree(tmp_path / "student", {"01_leaky_relu.ipynb": NB}), None) is None  # one student's folder
    assert plan(tmp_path / "student" / "01_leaky_relu.ipynb", None) is None               # a notebook
    # Canvas's flat names are also names a student may choose: a folder needs --layout canvas
    mine, notes = _tree(tmp_path / "mine", {"ch_11_1_leaky.ipynb": NB, "ch_11_2_bn.ipynb": NB}), []
    assert plan(mine, None, notes=notes) is None and "add --layout canvas" in notes[0]
    assert [s.id for s in plan(mine, "canvas").students] == ["11"]
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
    _one_line_error(_grader("grade", str(good), "--layout", "blackboard", "--out", str(tmp_path / "out")),
                    "--layout")
    assert not (tmp_path / "out").exists()
    typo = _overrides_file(tmp_path / "typo.csv", [["101", "leaky_relu", "9", "too many"]])
    _one_line_error(_grader("grade", str(good), "--overrides", str(typo), "--out", str(tmp_path / "out")),
                    "line 2", "outside 0 to 2")
    stranger = _overrides_file(tmp_path / "stranger.csv", [["999", "leaky_relu", "1", ""]])
    _one_line_error(_grader("grade", str(good), "--overrides", str(stranger), "--out", str(tmp_path / "out")),
                    "no submission or student '999'")
    assert not list((tmp_path / "out").glob("*/results.json"))  # nothing graded


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
    path.write_bytes(CANVAS_GRADEBOOK.encode())  # the gradebooks serve as rosters too
    assert [e.id for e in read_roster(path).entries] == ["104", "105", "106", "101", "103", "102"]
    path.write_text(MOODLE_WORKSHEET)
    assert ("501", "Alice Smith", "alice@x.edu") in [(e.id, e.name, e.email) for e in read_roster(path).entries]
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


# --------------------------------------------------------------------------- overrides and audit, without grading
def _overrides_file(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["submission", "exercise", "points", "comment"], *rows])
    return path


def test_overrides_are_read_checked_and_applied_from_the_graders_scores(tmp_path):
    from grader.overrides import Override, OverridesError, apply, read_overrides

    check = model.TestResult
    result = model.SubmissionResult("Alice_Smith_101", student={"id": "101"}, tests=[
        check("leaky_relu", "matches max(alpha*z, z) on unseen inputs", 1.0, 0.0, "alpha was 0.2\n\nnot 0.01"),
        check("leaky_relu", "names the returned op `name`", 0.5, 0.5, ""),
        check("leaky_relu", "trains the book's MLP to the reference's accuracy", 0.5, 0.0, ""),
        check("dropout", "drops each element with probability rate only while training", 1.5, 1.5, "")])
    path = _overrides_file(tmp_path / "o.csv", [
        ["101", "leaky_relu: matches max(alpha*z, z) on unseen inputs", "0.75", "sign convention accepted\n\nby mail"],
        ["Alice_Smith_101", "dropout", "0.75", "copied"]])
    overrides = read_overrides(path)
    assert apply(result, overrides)
    assert [(t.score, t.original_score) for t in result.tests] == [(0.75, 0.0), (0.5, None), (0.0, None), (0.75, 1.5)]
    assert result.score == 2.0 and "0 -> 0.75 (sign convention accepted" in result.tests[0].override_text()
    # results.json keeps the grader's output and score beside the override, and reads both back
    data = json.loads(json.dumps(result.to_gradescope()))
    assert data["tests"][0]["output"].startswith("Score overridden by the instructor: 0 -> 0.75")
    assert data["tests"][0]["extra_data"]["override"] == {"original_score": 0.0, "score": 0.75,
                                                          "comment": "sign convention accepted\n\nby mail"}
    assert [o["test"] for o in data["extra_data"]["overrides"]] == [
        "leaky_relu: matches max(alpha*z, z) on unseen inputs", "dropout: drops each element with probability "
                                                                "rate only while training"]
    back = model.SubmissionResult.from_gradescope(result.name, data)
    assert back.tests[0].output == "alpha was 0.2\n\nnot 0.01" and back.tests[0].original_score == 0.0
    assert not apply(back, overrides)  # applied twice: the same
    assert apply(back, overrides[:1]) and back.tests[3].score == 1.5 and not back.tests[3].overridden
    # an exercise's override spreads over its tests in proportion to their points
    assert apply(back, [Override("101", "leaky_relu", None, 1.0, "", 9)])
    assert [t.score for t in back.tests[:3]] == [0.5, 0.25, 0.25]
    for rows, message in [([["101", "leaky_rel", "1", ""]], "no exercise or test is called 'leaky_rel'"),
                          ([["101", "dropout", "2.5", ""]], "outside 0 to 2"),
                          ([["101", "dropout", "one", ""]], "not a number"),
                          ([["101", "dropout", "1", ""], ["101", "dropout", "0", ""]], "the same override as line 2"),
                          ([["", "dropout", "1", ""]], "no submission")]:
        with pytest.raises(OverridesError, match=message):
            read_overrides(_overrides_file(tmp_path / "bad.csv", rows))
    (tmp_path / "bad.csv").write_text("who,what\n101,dropout\n")
    with pytest.raises(OverridesError, match="has no submission, test, points column"):
        read_overrides(tmp_path / "bad.csv")


def test_audit_record_and_history(tmp_path):
    from grader import audit
    from grader.config import GradeConfig

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "01.ipynb").write_bytes(NB)
    (tmp_path / "sub" / "notes.txt").write_bytes(b"not graded")
    hashes = audit.notebook_hashes(tmp_path / "sub")
    assert hashes == {"01.ipynb": __import__("hashlib").sha256(NB).hexdigest()}
    record = audit.record(GradeConfig(out=tmp_path / "out"), hashes)
    assert set(record) == set(model.AUDIT_KEYS) and record["data"] == "sample"
    assert record["tensorflow_version"] != "unknown" and record["numpy_version"] != "unknown"
    assert record["budget"]["training_check_epochs"] == 3 and record["budget"]["timeout_s"] == 300
    folder = tmp_path / "out" / "alice"
    folder.mkdir(parents=True)
    assert audit.keep_previous(folder) is None  # nothing graded yet
    (folder / "results.json").write_text(json.dumps({"tests": [], "extra_data": {"graded_at": "2026-01-02T03:04:05Z"}}))
    (folder / "feedback.html").write_text("old page")
    kept = audit.keep_previous(folder)
    assert kept == folder / "history" / "2026-01-02T03-04-05Z" and sorted(os.listdir(folder)) == ["history"]
    assert (kept / "feedback.html").read_text() == "old page"
    (folder / "results.json").write_text(json.dumps({"tests": [], "extra_data": {"graded_at": "2026-01-02T03:04:05Z"}}))
    assert audit.keep_previous(folder).name == "2026-01-02T03-04-05Z-2"  # the same second: both kept


# --------------------------------------------------------------------------- the round trip, with grading
# Five students; Erin (the fifth) hands nothing in. Alice hands in a notebook the grader really runs and
# judges (the example dave_leaky_relu.ipynb: 1 of leaky_relu's 2 points); the others hand in notebooks
# without exercise cells (cheap: nothing to run), and the instructor's overrides give them distinct
# scores, so that a grade on the wrong row cannot go unnoticed.
STUDENTS = [  # name, Canvas user id, Canvas prefix, Moodle participant id, e-mail
    ("Alice Smith", "101", "smithalice", "501", "alice@x.edu"),
    ("Bob Jones", "102", "jonesbob", "502", "bob@x.edu"),
    ("Carol White", "103", "whitecarol", "503", "carol@x.edu"),
    ("Dan Lee", "104", "leedan", "504", "dan@x.edu"),
    ("Erin Moss", "105", "mosserin", "505", "erin@x.edu")]


def _scratch(text: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nbformat.writes(nb).encode()


def _downloads(root: Path, real: bytes) -> dict:
    canvas = _zip(root / "submissions.zip", {
        "smithalice_101_9011_01_leaky_relu.ipynb": real,
        "smithalice_101_9012_notes.txt": b"my notes",
        "jonesbob_LATE_102_9021_scratch.ipynb": _scratch("Bob's scratch"),
        "jonesbob_LATE_102_9022_report.pdf": b"%PDF-1.4",
        "whitecarol_103_9031_hw.ipynb": _scratch("Carol, first try"),
        "whitecarol_103_9032_hw-1.ipynb": _scratch("Carol, resubmitted"),
        "leedan_104_9041_a.ipynb": _scratch("Dan a"), "leedan_104_9042_b.ipynb": _scratch("Dan b"),
        "README.txt": b"a stray file"})
    moodle = _tree(root / "moodle", {
        "Alice Smith_501_assignsubmission_file_/01_leaky_relu.ipynb": real,
        "Alice Smith_501_assignsubmission_file_/notes.txt": b"my notes",
        "Bob Jones_502_assignsubmission_file_/scratch.ipynb": _scratch("Bob's scratch"),
        "Bob Jones_502_assignsubmission_onlinetext_/onlinetext.html": b"<p>see my notebook</p>",
        "Carol White_503_assignsubmission_file_/hw.ipynb": _scratch("Carol"),
        "Carol White_503_assignsubmission_file_/extra/more.ipynb": _scratch("Carol, more"),
        "Dan Lee_504_assignsubmission_file_/a.ipynb": _scratch("Dan a"),
        "Dan Lee_504_assignsubmission_file_/b.ipynb": _scratch("Dan b"),
        "stray.ipynb": _scratch("whose is this?")})
    (root / "canvas-roster.csv").write_text("id,name,email\n" + "".join(
        f"{cid},{name},{mail}\n" for name, cid, _, _, mail in STUDENTS))
    (root / "moodle-roster.csv").write_text("Identifier;Full name;Email address\n" + "".join(
        f"Participant {mid};{name};{mail}\n" for name, _, _, mid, mail in STUDENTS))
    first_test = EXERCISE_TEST("leaky_relu", 0)
    canvas_overrides = _overrides_file(root / "canvas-overrides.csv", [
        ["102", "leaky_relu", "2", "graded by hand from the PDF"], ["103", "bn_update_ops", "1.25", "partial credit"],
        ["Dan_Lee_104", "max_norm", "0.5", "explained in the notes"]])
    moodle_overrides = _overrides_file(root / "moodle-overrides.csv", [
        ["501", f"leaky_relu: {first_test}", "0.75", "sign convention accepted"],
        ["502", "leaky_relu", "2", "graded by hand"], ["503", "bn_update_ops", "1.25", "partial credit"],
        ["Dan_Lee_504", "max_norm", "0.5", "explained in the notes"]])
    return {"canvas": (canvas, root / "canvas-roster.csv", canvas_overrides),
            "moodle": (moodle, root / "moodle-roster.csv", moodle_overrides)}


def EXERCISE_TEST(exercise: str, index: int) -> str:
    from grader.exercises import EXERCISES
    return EXERCISES[exercise].checks[index].name


def _by_student(out: Path) -> dict[str, dict]:
    """results.json of each student id in --out."""
    found = {}
    for path in out.glob("*/results.json"):
        data = json.loads(path.read_text())
        found[data["extra_data"]["student"]["id"]] = data
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory, root, reference):
    """Both downloads graded once, at the same time (one job each), with their rosters and overrides.
    (`reference`: the reference results cached first, so that the two runs do not both compute them.)"""
    base = tmp_path_factory.mktemp("lms")
    downloads = _downloads(base, (root / "examples" / "submissions" / "dave_leaky_relu.ipynb").read_bytes())
    runs = {}
    for lms, (download, roster, overrides) in downloads.items():
        runs[lms] = subprocess.Popen([*GRADER, "grade", str(download), "--roster", str(roster), "--overrides",
                                      str(overrides), "--out", str(base / f"out-{lms}"), "--jobs", "1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finished = {}
    for lms, run in runs.items():
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
        finished[lms] = stdout + stderr
    return base, downloads, finished


def test_an_lms_download_is_graded_per_student_with_the_roster(graded):
    base, downloads, logs = graded
    for lms, ids in (("canvas", [s[1] for s in STUDENTS]), ("moodle", [s[3] for s in STUDENTS])):
        out = base / f"out-{lms}"
        results = _by_student(out)
        assert sorted(results) == ids
        for (name, *_), student_id in zip(STUDENTS, ids):
            data = results[student_id]
            assert data["extra_data"]["submission"] == f"{name.replace(' ', '_')}_{student_id}"
            assert data["extra_data"]["student"]["name"] == name and data["extra_data"]["student"]["lms"] == lms
            assert data["extra_data"]["abspath"] == f"{lms}:{student_id}"
            for key in model.AUDIT_KEYS:
                assert key in data["extra_data"], (lms, student_id, key)
        alice, erin = results[ids[0]], results[ids[4]]
        assert list(alice["extra_data"]["sha256"]) == ["01_leaky_relu.ipynb"]
        assert len(alice["extra_data"]["sha256"]["01_leaky_relu.ipynb"]) == 64
        assert sum(t["score"] for t in alice["tests"] if t["name"].startswith("leaky_relu:")) > 0  # really graded
        assert erin["extra_data"]["student"]["missing"] and erin["score"] == 0
        assert "no submission from this student" in erin["output"]
        report = (out / "intake.txt").read_text()
        stray = "README.txt" if lms == "canvas" else "stray.ipynb"
        assert f"files not attributed to any student (not graded): 1\n  {stray}" in report
        assert "on the roster, no submission (a zero in grades.csv): 1\n  Erin Moss" in report
        assert stray in logs[lms] and "Erin Moss" in logs[lms]
        rows = {r["student_id"]: r for r in csv.DictReader(open(out / "grades.csv", newline=""))}
        assert sorted(rows) == ids and rows[ids[4]]["note"].startswith("no submission")
        assert rows[ids[1]]["email"] == "bob@x.edu" and "graded by hand" in rows[ids[1]]["overrides"]
    canvas = _by_student(base / "out-canvas")
    assert canvas["102"]["extra_data"]["student"]["late"] is True
    assert canvas["101"]["extra_data"]["student"]["file_ids"][0] == "9011"
    assert "hw.ipynb: superseded by a later resubmission" in (base / "out-canvas" / "intake.txt").read_text()


CANVAS_GRADEBOOK = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 10 (2001),Chapter 11 autograder (2002),"
    "Current Points\r\n"
    "    Points Possible,,,,,10,100,(read only)\r\n"
    '"Lee, Dan",104,S104,dlee,A,7,,7\r\n'
    '"Moss, Erin",105,S105,emoss,A,9,,9\r\n'
    '"Other, Frank",106,S106,fother,"A, B",8,,8\r\n'
    '"Smith, Alice",101,S101,asmith,A,10,,10\r\n'
    '"White, Carol",103,S103,cwhite,B,6,,6\r\n'
    '"Jones, Bob",102,S102,bjones,B,5,,5\r\n')
MOODLE_WORKSHEET = (
    '"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed",'
    '"Last modified (submission)","Last modified (grade)","Feedback comments"\n'
    + "".join(f'"Participant {mid}","{name}","{mail}","Submitted for grading","","100.00","Yes","-","-",""\n'
              for name, _, _, mid, mail in [STUDENTS[4], STUDENTS[2], STUDENTS[0],
                                             ("Frank Other", "", "", "506", "frank@x.edu"), STUDENTS[1], STUDENTS[3]]))


def test_export_puts_every_grade_on_its_students_row(graded, tmp_path):
    base, _, _ = graded
    for lms, text, column in (("canvas", CANVAS_GRADEBOOK, 6), ("moodle", MOODLE_WORKSHEET, 4)):
        out = base / f"out-{lms}"
        scores = {sid: data["score"] / sum(t["max_score"] for t in data["tests"]) * 100
                  for sid, data in _by_student(out).items()}
        assert len({round(s, 6) for s in scores.values()}) == 5, scores  # distinct: a swapped row would show
        book = tmp_path / f"{lms}-gradebook.csv"
        book.write_bytes(text.encode())
        run = _grader("export", str(out), "--gradebook", str(book), "--out", str(tmp_path / f"to-{lms}"),
                      *(["--assignment", "autograder"] if lms == "canvas" else []))
        assert run.returncode == 0, run.stderr
        filled = (tmp_path / f"to-{lms}" / book.name).read_bytes().decode()
        newline = "\r\n" if lms == "canvas" else "\n"
        before, after = text.split(newline), filled.split(newline)
        assert len(before) == len(after) and after[0] == before[0]
        rows = list(csv.reader(io.StringIO(filled.lstrip("\ufeff"), newline="")))
        seen = set()
        for line_before, line_after, row in zip(before[1:], after[1:], rows[1:]):
            student_id = row[1] if lms == "canvas" else row[0].removeprefix("Participant ")
            if student_id in scores:
                expected = f"{round(scores[student_id], 2):g}" if lms == "canvas" else f"{scores[student_id]:.2f}"
                assert row[column] == expected, (lms, student_id, row)
                seen.add(student_id)
                unchanged = next(csv.reader([line_before]))
                assert row[:column] + row[column + 1:] == unchanged[:column] + unchanged[column + 1:]
            else:
                assert line_after == line_before  # Points Possible, Frank: byte for byte
        assert seen == set(scores)
        assert "Frank" in run.stdout and "rows with no result (left as they were): 1" in run.stdout
        pages = zipfile.ZipFile(tmp_path / f"to-{lms}" / f"feedback-{lms}.zip")
        if lms == "canvas":  # <student>_<user id>_<file id>_..., as Canvas's re-upload matches them
            assert sorted(pages.namelist()) == ["jonesbob_102_9021_feedback.html", "leedan_104_9041_feedback.html",
                                                "smithalice_101_9011_feedback.html",
                                                "whitecarol_103_9032_feedback.html"]
            assert b"Feedback: Alice_Smith_101" in pages.read("smithalice_101_9011_feedback.html")
        else:  # <Full name>_<participant id>_assignfeedback_file_/..., as Moodle's feedback zip upload parses them
            assert sorted(pages.namelist()) == [f"{n}_{m}_assignfeedback_file_/feedback.html"
                                                for n, _, _, m, _ in STUDENTS[:4]]
            page = pages.read("Bob Jones_502_assignfeedback_file_/feedback.html").decode()
            assert "Feedback: Bob_Jones_502" in page and "Overridden by your instructor" in page


def test_a_regrade_keeps_the_previous_result_and_the_override_shows_everywhere(graded, tmp_path):
    import shutil

    base, downloads, _ = graded
    download, roster, overrides = downloads["moodle"]
    out = tmp_path / "out"
    shutil.copytree(base / "out-moodle", out)
    before = json.loads((out / "Alice_Smith_501" / "results.json").read_text())
    run = _grader("grade", str(download), "--roster", str(roster), "--overrides", str(overrides), "--out", str(out),
                  "--jobs", "1", timeout=600)
    assert run.returncode == 0, run.stderr
    history = list((out / "Alice_Smith_501" / "history").iterdir())
    assert len(history) == 1 and json.loads((history[0] / "results.json").read_text()) == before
    assert (history[0] / "feedback.html").is_file() and (history[0] / "01_leaky_relu.executed.ipynb").is_file()
    after = json.loads((out / "Alice_Smith_501" / "results.json").read_text())
    assert after["extra_data"]["graded_at"] >= before["extra_data"]["graded_at"]
    assert after["extra_data"]["sha256"] == before["extra_data"]["sha256"]  # the same notebook, graded again
    test = next(t for t in after["tests"] if t["name"] == f"leaky_relu: {EXERCISE_TEST('leaky_relu', 0)}")
    assert test["score"] == 0.75 and test["extra_data"]["override"]["comment"] == "sign convention accepted"
    assert test["output"].startswith("Score overridden by the instructor: 0 -> 0.75 (sign convention accepted).")
    assert after["extra_data"]["overrides"][0]["comment"] == "sign convention accepted"
    row = next(r for r in csv.DictReader(open(out / "grades.csv", newline="")) if r["student_id"] == "501")
    assert "0 -> 0.75 (sign convention accepted)" in row["overrides"] and float(row["total"]) == after["score"]
    page = (out / "Alice_Smith_501" / "feedback.html").read_text()
    assert "Overridden by your instructor" in page and "sign convention accepted" in page
    assert "the grader gave" in page
    table = run.stdout + run.stderr
    assert "* Alice_Smith_501: leaky_relu:" in table and "0 -> 0.75" in table
    assert not (out / "Erin_Moss_505" / "history").exists()  # still no submission: not graded again
    # Overrides apply at report time: a run that grades nothing (--resume) brings every result in
    # line with the file; a line taken out gives the grader's own score back.
    fewer = _overrides_file(tmp_path / "fewer.csv", [["502", "leaky_relu", "2", "graded by hand"]])
    run = _grader("grade", str(download), "--roster", str(roster), "--overrides", str(fewer), "--out", str(out),
                  "--resume", "--jobs", "1", timeout=600)
    assert run.returncode == 0, run.stderr
    alice = json.loads((out / "Alice_Smith_501" / "results.json").read_text())
    assert alice["score"] == after["score"] - 0.75 and "overrides" not in alice["extra_data"]
    assert "Overridden by your instructor" not in (out / "Alice_Smith_501" / "feedback.html").read_text()
    assert len(list((out / "Alice_Smith_501" / "history").iterdir())) == 1

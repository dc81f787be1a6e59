"""Writer of the one results model as JUnit XML, the format every CI system shows per test.

Built with the standard library's ElementTree: the format is six elements and a
few attributes, so a dependency (junit-xml, junitparser) would add an install for
students' CI runs without saving code; the test suite validates the output
against the Ant/Jenkins JUnit schema instead.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .report import write_atomic
from .results import SubmissionResult, TestResult

# Terminal colours in tracebacks are noise in a CI page; the other control
# characters cannot appear in XML 1.0 at all, and a parser rejects the file.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MESSAGE_CHARS = 1000


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", _ANSI.sub("", text))


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _testcase(suite: ET.Element, result: SubmissionResult, test: TestResult) -> None:
    # The results model has no per-test duration (the checks of a submission run
    # together in one worker); the submission's time goes on its <testsuite>.
    case = ET.SubElement(suite, "testcase", name=xml_text(test.name),
                         classname=xml_text(f"{result.name}.{test.exercise}"), time=_seconds(0.0))
    if not test.passed:
        output = xml_text(test.output) or "failed"
        one_line = " ".join(output.split())
        if len(one_line) > _MESSAGE_CHARS:
            one_line = one_line[:_MESSAGE_CHARS - 1] + "…"
        failure = ET.SubElement(case, "failure", message=one_line, type="failed")
        failure.text = f"{test.score:g} of {test.max_score:g} points.\n{output}"


def _testsuite(root: ET.Element, result: SubmissionResult) -> tuple[int, int, int]:
    suite = ET.SubElement(root, "testsuite", name=xml_text(result.name))
    for test in result.tests:
        _testcase(suite, result, test)
    errors = 0
    if not result.tests:
        # Nothing could be graded: one erroring case keeps the CI job from looking green.
        case = ET.SubElement(suite, "testcase", name="grading", classname=xml_text(result.name),
                             time=_seconds(result.execution_time))
        message = xml_text(" ".join(result.problems)) or "the grader produced no tests for this submission"
        ET.SubElement(case, "error", message=message, type="not graded").text = message
        errors = 1
    tests = len(result.tests) + errors
    failures = sum(not t.passed for t in result.tests)
    suite.attrib.update(tests=str(tests), failures=str(failures), errors=str(errors), skipped="0",
                        time=_seconds(result.execution_time))
    ET.SubElement(suite, "system-out").text = xml_text(result.summary())
    return tests, failures, errors


def write_junit(results: list[SubmissionResult], path: Path) -> Path:
    """One <testsuite> per submission, one <testcase> per test, totals on the <testsuites> root."""
    root = ET.Element("testsuites", name="ch11-grader")
    totals = [0, 0, 0]
    for result in results:
        for i, n in enumerate(_testsuite(root, result)):
            totals[i] += n
    root.attrib.update(tests=str(totals[0]), failures=str(totals[1]), errors=str(totals[2]),
                       time=_seconds(sum(r.execution_time for r in results)))
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    write_atomic(path, text)
    return path

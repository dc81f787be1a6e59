import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from grader.junit import write_junit
from grader.results import SubmissionResult
from grader.results import TestResult as Check  # not Test*: pytest would try to collect it

SCHEMA = Path(__file__).parent / "data" / "junit.xsd"


def results() -> list[SubmissionResult]:
    alice = SubmissionResult("alice", execution_time=21.5, tests=[
        Check("leaky_relu", "matches max(alpha*z, z) on unseen inputs", 1.0, 1.0, "6 inputs matched"),
        Check("bn_update_ops", "one run = one optimizer step + every batch-norm update op", 1.5, 1.5, "ok"),
    ])
    dave = SubmissionResult("dave_leaky_relu", execution_time=19.25, tests=[
        Check("leaky_relu", "matches max(alpha*z, z) on unseen inputs", 1.0, 0.0,
                   "with alpha=0.2: got 0.01*z for z<0\n<z> & \x1b[31mred\x1b[0m \x00end"),
        Check("leaky_relu", "names the returned op `name`", 0.5, 0.5, "named"),
        Check("bn_update_ops", "trains the book's BN network", 0.5, 0.25, "accuracy 0.81 vs 0.90"),
    ])
    broken = SubmissionResult("broken", problems=["broken.ipynb is not a notebook (not JSON text)"])
    return [alice, dave, broken]


@pytest.fixture
def junit(tmp_path) -> Path:
    return write_junit(results(), tmp_path / "reports" / "junit.xml")


def test_one_suite_per_submission_one_case_per_test(junit):
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "2", "1")
    assert float(root.get("time")) == pytest.approx(40.75)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["alice", "dave_leaky_relu", "broken"]
    dave = suites["dave_leaky_relu"]
    assert (dave.get("tests"), dave.get("failures"), dave.get("errors")) == ("3", "2", "0")
    assert dave.get("time") == "19.250"
    cases = dave.findall("testcase")
    assert [c.get("classname") for c in cases] == [
        "dave_leaky_relu.leaky_relu", "dave_leaky_relu.leaky_relu", "dave_leaky_relu.bn_update_ops"]
    assert cases[1].get("name") == "names the returned op `name`"
    assert all(float(c.get("time")) >= 0 for c in cases)
    assert dave.find("system-out").text.startswith("dave_leaky_relu: 0.75 / 2 points.")


def test_failures_carry_the_output_and_partial_credit_fails(junit):
    dave = ET.parse(junit).getroot().find("testsuite[@name='dave_leaky_relu']")
    first, second, third = dave.findall("testcase")
    failure = first.find("failure")
    # One line in the message, the whole output in the body; colours and bytes XML cannot hold are gone.
    assert failure.get("message") == "with alpha=0.2: got 0.01*z for z<0 <z> & red end"
    assert "0 of 1 points." in failure.text and "got 0.01*z for z<0\n<z> & red end" in failure.text
    assert second.find("failure") is None
    assert "accuracy 0.81 vs 0.90" in third.find("failure").get("message")


def test_a_submission_without_tests_is_an_error_not_a_pass(junit):
    broken = ET.parse(junit).getroot().find("testsuite[@name='broken']")
    error = broken.find("testcase/error")
    assert "not a notebook" in error.get("message")
    assert (broken.get("tests"), broken.get("errors")) == ("1", "1")


def test_validates_against_the_junit_schema(junit):
    schema = xmlschema.XMLSchema(SCHEMA)
    schema.validate(junit)  # raises with the offending element and rule
    assert not schema.is_valid("<testsuites><testsuite tests='1'><testcase/></testsuite></testsuites>")


def test_empty_run_is_still_valid(tmp_path):
    path = write_junit([], tmp_path / "junit.xml")
    assert ET.parse(path).getroot().get("tests") == "0"
    xmlschema.XMLSchema(SCHEMA).validate(path)

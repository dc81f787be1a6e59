"""The one results model. Every writer (results.json, grades.csv, the table) reads these."""
from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import LANGUAGES, _, using

# The problem a result carries when the grader itself failed on the submission (a bug, not the student's).
INTERNAL_ERROR = "internal grader error"
# The audit record's keys in results.json's top-level extra_data (written by audit.py).
AUDIT_KEYS = ("graded_at", "grader_version", "tensorflow_version", "numpy_version", "data", "budget", "sha256")


@dataclass
class TestResult:
    exercise: str
    name: str            # the check's English name, its stable id (shown translated), e.g. "matches ..."
    max_score: float
    score: float = 0.0
    output: str = ""     # what was checked, and on failure what differed
    original_score: float | None = None  # the grader's score when an instructor's override replaced it
    comment: str = ""    # the override's comment

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    @property
    def overridden(self) -> bool:
        return self.original_score is not None

    def override_text(self) -> str:
        """How every output shows an override: the grader's score, the instructor's, the comment."""
        text = _("score overridden by the instructor: {before} -> {after}").format(
            before=f"{self.original_score:g}", after=f"{self.score:g}")
        return text + (f" ({self.comment})" if self.comment else "")

    def override_heading(self) -> str:
        """What results.json's output starts with when the score is overridden (read back off by
        from_gradescope)."""
        text = self.override_text()
        return text[:1].upper() + text[1:] + ".\n\n"

    def title(self) -> str:
        """The test's name in the chosen language."""
        return _(self.name)

    def to_gradescope(self) -> dict:
        extra: dict = {"exercise": self.exercise, "test": self.name}  # test: the same whatever the language
        output = self.output
        if self.overridden:
            extra["override"] = {"original_score": self.original_score, "score": self.score, "comment": self.comment}
            output = self.override_heading() + output
        return {
            "name": f"{self.exercise}: {self.title()}",
            "score": round(self.score, 4),
            "max_score": self.max_score,
            "status": "passed" if self.passed else "failed",
            "output": output,
            "visibility": "visible",
            "extra_data": extra,
        }


@dataclass
class SubmissionResult:
    name: str            # its result folder in --out (unique there)
    tests: list[TestResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # submission-wide reasons (cannot run, ...)
    execution_time: float = 0.0
    path: str = ""       # the submission's path as given on the command line
    abspath: str = ""    # the same, absolute: which submission owns the result folder
    attempts: int = 1    # gradings in a row that ended in an internal grader error, this one included
    internal_error: bool = False  # the grader failed on it: --resume may retry it
    student: dict = field(default_factory=dict)  # from an LMS download or the roster: id, name, email, lms
    audit: dict = field(default_factory=dict)    # when, with what and on what it was graded (audit.py)
    notes: list[str] = field(default_factory=list)  # for the instructor's console only (how it was run)

    @classmethod
    def from_gradescope(cls, name: str, data: dict) -> "SubmissionResult":
        """Read back a results.json this grader wrote (for grades.csv and --resume); ValueError if
        it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("tests", []), list):
            raise ValueError("not a results.json")
        extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
        output = data.get("output") if isinstance(data.get("output"), str) else ""
        result = cls(name, execution_time=_number(data.get("execution_time")))
        result.path = extra.get("path") if isinstance(extra.get("path"), str) else ""
        result.abspath = extra.get("abspath") if isinstance(extra.get("abspath"), str) else ""
        attempts = extra.get("attempts")
        result.attempts = attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 1
        flag = extra.get("internal_error")
        result.internal_error = flag if isinstance(flag, bool) else INTERNAL_ERROR in output  # older results
        result.student = extra.get("student") if isinstance(extra.get("student"), dict) else {}
        problems = extra.get("problems")
        result.problems = [p for p in problems if isinstance(p, str)] if isinstance(problems, list) else []
        result.audit = {k: extra[k] for k in AUDIT_KEYS if k in extra}
        for test in data.get("tests", []):
            if not isinstance(test, dict):
                raise ValueError("not a results.json")
            test_extra = test.get("extra_data") if isinstance(test.get("extra_data"), dict) else {}
            exercise = str(test_extra.get("exercise", ""))
            title = str(test.get("name", ""))
            name = test_extra.get("test") if isinstance(test_extra.get("test"), str) else \
                title.removeprefix(f"{exercise}: ")  # results written before the languages
            read = TestResult(exercise, name, _number(test.get("max_score")),
                              _number(test.get("score")), str(test.get("output", "")))
            override = test_extra.get("override")
            if isinstance(override, dict):  # the output as the grader wrote it, the override beside it
                read.original_score = _number(override.get("original_score"))
                read.comment = str(override.get("comment", ""))
                for lang in LANGUAGES:  # written in either language
                    with using(lang):
                        read.output = read.output.removeprefix(read.override_heading())
            result.tests.append(read)
        return result

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)

    def exercise_scores(self) -> dict[str, float]:
        scores: dict[str, float] = {}
        for t in self.tests:
            scores[t.exercise] = scores.get(t.exercise, 0.0) + t.score
        return scores

    def summary(self) -> str:
        failed = [t for t in self.tests if not t.passed]
        parts = [_("{name}: {score} / {max_score} points.").format(name=self.name, score=f"{self.score:g}",
                                                                   max_score=f"{self.max_score:g}")]
        if self.problems:
            parts.append(" ".join(self.problems))
        if failed:
            names = sorted({t.exercise for t in failed})
            parts.append(_("Failed tests in: {exercises}.").format(exercises=", ".join(names)))
        elif self.tests:
            parts.append(_("Every test passed."))
        return " ".join(parts)

    def to_gradescope(self) -> dict:
        return {
            "score": round(self.score, 4),
            "execution_time": round(self.execution_time, 1),
            "output": self.summary(),
            "tests": [t.to_gradescope() for t in self.tests],
            "extra_data": {"submission": self.name, "path": self.path, "abspath": self.abspath,
                           "attempts": self.attempts, "internal_error": self.internal_error,
                           "problems": self.problems,
                           **({"student": self.student} if self.student else {}),
                           **({"overrides": [{"test": f"{t.exercise}: {t.name}", "original_score": t.original_score,
                                              "score": t.score, "comment": t.comment}
                                             for t in self.tests if t.overridden]}
                              if any(t.overridden for t in self.tests) else {}),
                           **self.audit},
        }


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0

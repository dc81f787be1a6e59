"""The one results model. Every writer (results.json, grades.csv, the table) reads these."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TestResult:
    exercise: str
    name: str            # shown to the student, e.g. "matches the reference on unseen inputs"
    max_score: float
    score: float = 0.0
    output: str = ""     # what was checked, and on failure what differed

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    def to_gradescope(self) -> dict:
        return {
            "name": f"{self.exercise}: {self.name}",
            "score": round(self.score, 4),
            "max_score": self.max_score,
            "status": "passed" if self.passed else "failed",
            "output": self.output,
            "visibility": "visible",
            "extra_data": {"exercise": self.exercise},
        }


@dataclass
class SubmissionResult:
    name: str
    tests: list[TestResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # submission-wide reasons (cannot run, ...)
    execution_time: float = 0.0

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
        head = f"{self.name}: {self.score:g} / {self.max_score:g} points"
        parts = [head + "."]
        if self.problems:
            parts.append(" ".join(self.problems))
        if failed:
            names = sorted({t.exercise for t in failed})
            parts.append(f"Failed tests in: {', '.join(names)}.")
        elif self.tests:
            parts.append("Every test passed.")
        return " ".join(parts)

    def to_gradescope(self) -> dict:
        return {
            "score": round(self.score, 4),
            "execution_time": round(self.execution_time, 1),
            "output": self.summary(),
            "tests": [t.to_gradescope() for t in self.tests],
        }

"""What grading produces: one test's outcome, one submission's result, one problem's check.

These types stand on their own floor so that the modules producing them (grading, quiz,
checking) and those reading them (report, cli, batch) never need each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from judge.verdicts import Verdict

__all__ = ["CheckItem", "CheckResult", "GradeResult", "TestResult"]


@dataclass
class TestResult:
    """One test's outcome."""

    __test__ = False  # not a pytest test class

    name: str
    verdict: str
    score: float
    max_score: float
    message: str = ""
    hint: str | None = None
    time_s: float = 0.0


@dataclass
class GradeResult:
    """One submission graded on one problem (the JSON of docs/design.md, plus grading_status)."""

    problem: str
    verdict: str | None
    score: float
    max_score: float
    time_s: float
    tests: list[TestResult] = field(default_factory=list)
    sandbox: dict[str, str] = field(default_factory=dict)
    grading_status: str = "graded"
    error: str | None = None
    hidden: bool = True
    """Whether the tests were the hidden ones (reports mark them "after_published")."""
    seed: int | None = None
    """The seed the tests that ask for ``seed`` drew their inputs from: ``--seed`` replays."""
    output: str = ""
    """The tail of what the submission printed (stdout and stderr), read once its sandbox
    had closed; Exercism's reports show it. Not part of :meth:`to_dict`: it is the
    candidate's own text and would only bloat the JSON and the batch rows."""
    summary: str | None = None
    """One line that stands for the score where nothing is scored: a quiz's public check
    (``judge test``) says how many questions are answered and which are missing or
    malformed. In the JSON only where set."""

    @property
    def accepted(self) -> bool:
        return self.grading_status == "graded" and self.verdict == Verdict.ACCEPTED

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of docs/design.md (``grading_status`` added; ``error`` if any)."""
        data = asdict(self)
        data.pop("hidden")
        data.pop("output")
        if data["error"] is None:
            data.pop("error")
        if data["seed"] is None:
            data.pop("seed")
        if data["summary"] is None:
            data.pop("summary")
        data["score"] = round(self.score, 6)
        data["max_score"] = round(self.max_score, 6)
        data["time_s"] = round(self.time_s, 3)
        for test in data["tests"]:
            test["time_s"] = round(test["time_s"], 3)
            test["score"] = round(test["score"], 6)
            test["max_score"] = round(test["max_score"], 6)
        return data


@dataclass
class CheckItem:
    """One file of a problem checked: what it must get and what it got."""

    file: str
    expected: str  # "accepted" | "rejected" | "rejected with its hint" | "present"
    ok: bool
    message: str = ""


@dataclass
class CheckResult:
    problem: str
    items: list[CheckItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Findings that do not fail the check: hint shadowing, tests without a hint."""

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def failures(self) -> list[CheckItem]:
        return [item for item in self.items if not item.ok]

"""What a batch produces, typed: one :class:`Row` per submission, and the :class:`BatchReport`
that holds them with the files not graded, the problems, the similar pairs and which judge
(and shard) made it.

The JSON report is the batch's canonical form, and other tools read it, so its keys are a
contract: ``{"kind": "metajudge-batch", "format": 1, "judge_version", "shard", "problems":
{slug: {title, max_score, kind}}, "rows": [...], "similarity": {"threshold", "pairs":
[...]}, "not_graded": [{candidate, file, reason}], "partial"?}``; each row is the JSON of
``judge grade`` plus ``candidate``, ``file``, ``sha256`` and (for a code problem, once
similarity has looked at it) ``fingerprint``. ``to_dict`` writes exactly these keys;
``from_dict`` reads them back.

Reading a report is reading a file someone may have edited (``report merge`` reads shards
made elsewhere): :func:`read_report` bounds its size before parsing, and ``from_dict``
checks every field's type, so a malformed or hostile file is a :class:`ReportError` naming
the file and the field, never a traceback. Keys it does not know are ignored.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from judge.batch.similarity import Pair, Region
from judge.batch.untrusted_json import (
    ReportError,
    expect,
    ints,
    json_object,
    number,
    show,
    text_map,
)
from judge.results import GradeResult, TestResult
from judge.text import clean

__all__ = [
    "FORMAT",
    "KIND",
    "MAX_REPORT_BYTES",
    "BatchReport",
    "NotGraded",
    "ProblemMeta",
    "ReportError",
    "Row",
    "Similarity",
    "read_report",
]

KIND = "metajudge-batch"
FORMAT = 1
MAX_REPORT_BYTES = 512 * 1024 * 1024
"""A JSON report past this size is refused before it is read (about 50,000 rows with their
fingerprints fit in a tenth of it)."""


def _test(value: object, where: str) -> TestResult:
    data = json_object(value, where)
    return TestResult(
        name=expect(data, "name", str, where),
        verdict=expect(data, "verdict", str, where),
        score=number(data, "score", where, 0.0),
        max_score=number(data, "max_score", where, 0.0),
        message=expect(data, "message", str, where, ""),
        hint=expect(data, "hint", (str, type(None)), where, None),
        time_s=number(data, "time_s", where, 0.0),
    )


def _stored_fingerprint(value: object, where: str) -> list[list[int]] | None:
    """``[hash, first_line, last_line]`` triples, or null (a file that did not parse)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ReportError(f"{where}: expected a list of [hash, first, last], got {show(value)}")
    return [ints(item, 3, f"{where}[{i}]") for i, item in enumerate(value)]


@dataclass
class Row:
    """One submission's outcome: whose file, for which problem, and its grade (or why the
    judge could not grade it)."""

    candidate: str
    file: str
    """The submission's path as the batch found it (``report merge`` reads it again, if it is
    still there unchanged, for the similar regions' text)."""
    problem: str
    verdict: str | None
    """A :class:`~judge.verdicts.Verdict`'s value; None when the judge failed (see ``error``)."""
    score: float
    max_score: float
    sha256: str = ""
    """SHA-256 of the file's bytes: the cache's key, and how ``report merge`` tells a row given
    twice from two rows in conflict."""
    time_s: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    sandbox: dict[str, str] = field(default_factory=dict)
    """How it ran: ``level``, ``network`` and, where known, ``isolation``/``reason``."""
    grading_status: str = "graded"
    """``graded``, or ``judge_error``: the judge failed on this row (not the candidate)."""
    error: str | None = None
    """Why the judge failed, for a ``judge_error`` row."""
    seed: int | None = None
    """The seed the seeded tests drew their inputs from (``judge grade --seed`` replays it)."""
    fingerprint: list[list[int]] | None = None
    """The winnowed fingerprint (:func:`judge.batch.similarity.to_stored`), so that ``report
    merge`` compares rows of different shards without their files; None for a file that
    does not parse."""
    fingerprinted: bool = False
    """Whether similarity looked at this row: only then is ``fingerprint`` written (a quiz's
    row, and a row of an older report, have none, and ``report merge`` needs their file)."""

    @classmethod
    def of(cls, candidate: str, file: str, sha256: str, result: GradeResult) -> Row:
        """The row of ``result`` (its JSON's rounding: a row reads back equal)."""
        data = result.to_dict()
        return cls.from_dict({"candidate": candidate, "file": file, "sha256": sha256, **data})

    @property
    def graded(self) -> bool:
        return self.grading_status == "graded"

    def grade_result(self) -> GradeResult:
        """The row as the engine's result again (for the per-submission report formats)."""
        return GradeResult(
            self.problem,
            self.verdict,
            self.score,
            self.max_score,
            self.time_s,
            [TestResult(**asdict(t)) for t in self.tests],
            dict(self.sandbox),
            self.grading_status,
            self.error,
            seed=self.seed,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "candidate": self.candidate,
            "file": self.file,
            "sha256": self.sha256,
            "problem": self.problem,
            "verdict": self.verdict,
            "score": self.score,
            "max_score": self.max_score,
            "time_s": self.time_s,
            "tests": [asdict(t) for t in self.tests],
            "sandbox": dict(self.sandbox),
            "grading_status": self.grading_status,
        }
        if self.error is not None:
            data["error"] = self.error
        if self.seed is not None:
            data["seed"] = self.seed
        if self.fingerprinted:
            data["fingerprint"] = self.fingerprint
        return data

    @classmethod
    def from_dict(cls, value: object, where: str = "row") -> Row:
        """A row back from its JSON; :class:`ReportError` for a field of the wrong type."""
        data = json_object(value, where)
        tests = expect(data, "tests", list, where, [])
        return cls(
            candidate=expect(data, "candidate", str, where),
            file=expect(data, "file", str, where),
            problem=expect(data, "problem", str, where),
            verdict=expect(data, "verdict", (str, type(None)), where, None),
            score=number(data, "score", where, 0.0),
            max_score=number(data, "max_score", where, 0.0),
            sha256=expect(data, "sha256", str, where, ""),
            time_s=number(data, "time_s", where, 0.0),
            tests=[_test(t, f"{where}.tests[{i}]") for i, t in enumerate(tests)],
            sandbox=text_map(data.get("sandbox", {}), f"{where}.sandbox"),
            grading_status=expect(data, "grading_status", str, where),
            error=expect(data, "error", (str, type(None)), where, None),
            seed=expect(data, "seed", (int, type(None)), where, None),
            fingerprint=_stored_fingerprint(data.get("fingerprint"), f"{where}.fingerprint"),
            fingerprinted="fingerprint" in data,
        )


@dataclass(frozen=True, order=True)
class NotGraded:
    """A file (or a candidate's folder) that could have been a submission and was not
    graded, with the reason in words: every report lists it, so no candidate vanishes."""

    candidate: str
    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"candidate": self.candidate, "file": self.file, "reason": self.reason}

    @classmethod
    def from_dict(cls, value: object, where: str = "not_graded") -> NotGraded:
        data = json_object(value, where)
        return cls(
            expect(data, "candidate", str, where),
            expect(data, "file", str, where),
            expect(data, "reason", str, where),
        )


@dataclass
class ProblemMeta:
    """What the report says about a problem it graded."""

    title: str
    max_score: float
    kind: str = "code"
    """``code`` or ``quiz``: only code rows have fingerprints (older reports lack it: code)."""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "max_score": self.max_score, "kind": self.kind}

    @classmethod
    def from_dict(cls, value: object, where: str = "problem") -> ProblemMeta:
        data = json_object(value, where)
        return cls(
            expect(data, "title", str, where),
            number(data, "max_score", where, 0.0),
            expect(data, "kind", str, where, "code"),
        )


def _region(value: object, where: str) -> Region:
    data = json_object(value, where)
    return Region(
        ints(data.get("a"), 2, f"{where}.a"),
        ints(data.get("b"), 2, f"{where}.b"),
        expect(data, "a_text", str, where, ""),
        expect(data, "b_text", str, where, ""),
    )


def _pair(value: object, where: str) -> Pair:
    data = json_object(value, where)
    regions = expect(data, "regions", list, where, [])
    return Pair(
        expect(data, "problem", str, where),
        expect(data, "a", str, where),
        expect(data, "b", str, where),
        number(data, "score", where),
        number(data, "containment", where, 0.0),
        [_region(r, f"{where}.regions[{i}]") for i, r in enumerate(regions)],
    )


@dataclass
class Similarity:
    """The pairs that look copied, at or above ``threshold`` (None: not computed)."""

    threshold: float | None = None
    pairs: list[Pair] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "pairs": [p.to_dict() for p in self.pairs]}

    @classmethod
    def from_dict(cls, value: object, where: str = "similarity") -> Similarity:
        data = json_object(value if value is not None else {}, where)
        threshold = expect(data, "threshold", (int, float, type(None)), where, None)
        pairs = expect(data, "pairs", list, where, [])
        return cls(
            None if threshold is None else float(threshold),
            [_pair(p, f"{where}.pairs[{i}]") for i, p in enumerate(pairs)],
        )


@dataclass
class BatchReport:
    """A batch's report: its rows, the files it did not grade, and how it was made."""

    rows: list[Row] = field(default_factory=list)
    problems: dict[str, ProblemMeta] = field(default_factory=dict)
    similarity: Similarity = field(default_factory=Similarity)
    not_graded: list[NotGraded] = field(default_factory=list)
    judge_version: str = ""
    """The package version plus a hash of the modules that decide verdicts
    (:func:`judge.batch.cache.judge_version`); a merge joins several with `` + ``."""
    shard: str | None = None
    """``K/N`` for one shard's report; None for a whole batch (or a merge)."""
    partial: list[str] = field(default_factory=list)
    """Why a merged report is not one whole batch (``report merge --allow-partial``)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": KIND,
            "format": FORMAT,
            "judge_version": self.judge_version,
            "shard": self.shard,
            "problems": {slug: meta.to_dict() for slug, meta in self.problems.items()},
            "rows": [row.to_dict() for row in self.rows],
            "similarity": self.similarity.to_dict(),
            "not_graded": [item.to_dict() for item in self.not_graded],
        }
        if self.partial:
            data["partial"] = list(self.partial)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, value: object, where: str = "report") -> BatchReport:
        """A report back from its JSON; :class:`ReportError` if it is not one this judge
        reads (another ``kind`` or ``format``, a field of the wrong type)."""
        data = value if isinstance(value, dict) else {}
        if data.get("kind") != KIND or not isinstance(data.get("rows"), list):
            raise ReportError(f'{where}: not a batch report (expected "kind": "{KIND}" and rows)')
        if data.get("format", FORMAT) != FORMAT:
            raise ReportError(
                f"{where}: report format {show(data.get('format'))}; this judge reads "
                f"format {FORMAT}"
            )
        problems = json_object(data.get("problems", {}), f"{where}.problems")
        partial = expect(data, "partial", list, where, [])
        for i, reason in enumerate(partial):
            if not isinstance(reason, str):
                raise ReportError(f"{where}.partial[{i}]: expected str, got {show(reason)}")
        not_graded = expect(data, "not_graded", list, where, [])
        return cls(
            rows=[Row.from_dict(r, f"{where}.rows[{i}]") for i, r in enumerate(data["rows"])],
            problems={
                slug: ProblemMeta.from_dict(meta, f"{where}.problems.{clean(slug, 60)}")
                for slug, meta in problems.items()
            },
            similarity=Similarity.from_dict(data.get("similarity"), f"{where}.similarity"),
            not_graded=[
                NotGraded.from_dict(s, f"{where}.not_graded[{i}]") for i, s in enumerate(not_graded)
            ],
            judge_version=expect(data, "judge_version", str, where, ""),
            shard=expect(data, "shard", (str, type(None)), where, None),
            partial=list(partial),
        )

    @classmethod
    def from_json(cls, text: str, where: str = "report") -> BatchReport:
        """Parse and read a JSON report; :class:`ReportError` for anything else (not JSON,
        nested past the parser's depth, NaN or Infinity, a field of the wrong type)."""
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise ReportError(f"{where}: not a readable JSON report: {exc}"[:300]) from None
        return cls.from_dict(data, where)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a report holds")


def read_report(path: str | Path) -> BatchReport:
    """The batch report in the JSON file at ``path``; :class:`ReportError` (naming the file)
    for a file that is missing, too large, not UTF-8, not JSON or not a batch report."""
    path = Path(path)
    where = clean(str(path), 300)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"{where}: not a readable JSON report: {exc.strerror}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(f"{where}: larger than {MAX_REPORT_BYTES >> 20} MiB; not a report")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{where}: not a readable JSON report: {exc}") from None
    return BatchReport.from_json(text, where)

"""The typed batch report: dataclass -> JSON -> dataclass is the identity, the JSON keeps the
keys other tools read, and a malformed or hostile report file is a clear error (exit 2 from
``report merge``), never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from judge.batch import records
from judge.batch.cache import Cache
from judge.batch.merge import MergeError, load
from judge.batch.records import (
    BatchReport,
    NotGraded,
    ProblemMeta,
    ReportError,
    Row,
    Similarity,
    read_report,
)
from judge.batch.similarity import Pair, Region
from judge.cli import cli
from judge.results import GradeResult, TestResult

FIXTURES = Path(__file__).parent / "fixtures"
DOUBLE = FIXTURES / "double"

numbers = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=12)
maybe_text = st.none() | texts
spans = st.lists(st.integers(0, 10_000), min_size=2, max_size=2)
tests = st.builds(
    TestResult,
    name=texts,
    verdict=texts,
    score=numbers,
    max_score=numbers,
    message=texts,
    hint=maybe_text,
    time_s=numbers,
)
fingerprints = st.lists(st.lists(st.integers(), min_size=3, max_size=3), max_size=4)


@st.composite
def rows(draw: st.DrawFn) -> Row:
    fingerprinted = draw(st.booleans())
    return Row(
        candidate=draw(texts),
        file=draw(texts),
        problem=draw(texts),
        verdict=draw(maybe_text),
        score=draw(numbers),
        max_score=draw(numbers),
        sha256=draw(texts),
        time_s=draw(numbers),
        tests=draw(st.lists(tests, max_size=3)),
        sandbox=draw(st.dictionaries(texts, texts, max_size=3)),
        grading_status=draw(st.sampled_from(["graded", "judge_error"])),
        error=draw(maybe_text),
        seed=draw(st.none() | st.integers()),
        fingerprint=draw(st.none() | fingerprints) if fingerprinted else None,
        fingerprinted=fingerprinted,
    )


pairs = st.builds(
    Pair,
    problem=texts,
    a=texts,
    b=texts,
    score=numbers.map(lambda x: round(x, 4)),  # a pair's scores are kept to 4 decimals
    containment=numbers.map(lambda x: round(x, 4)),
    regions=st.lists(st.builds(Region, spans, spans, texts, texts), max_size=2),
)
reports = st.builds(
    BatchReport,
    rows=st.lists(rows(), max_size=4),
    problems=st.dictionaries(
        texts, st.builds(ProblemMeta, texts, numbers, st.sampled_from(["code", "quiz"]))
    ),
    similarity=st.builds(Similarity, st.none() | numbers, st.lists(pairs, max_size=3)),
    not_graded=st.lists(st.builds(NotGraded, texts, texts, texts), max_size=3),
    judge_version=texts,
    shard=maybe_text,
    partial=st.lists(texts, max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(reports)
def test_report_to_json_and_back_is_the_same_report(report: BatchReport) -> None:
    assert BatchReport.from_json(report.to_json()) == report


def test_a_row_keeps_the_keys_of_judge_grade_json() -> None:
    """A row is ``judge grade --json``'s object plus candidate, file, sha256 (and the
    fingerprint once similarity has looked at it): the keys outside tools read."""
    result = GradeResult(
        "double", "accepted", 10.0, 10.0, 0.25, [TestResult("t", "accepted", 10.0, 10.0)]
    )
    row = Row.of("ann", "ann/double.py", "ab12", result)
    assert row.to_dict() == {"candidate": "ann", "file": "ann/double.py", "sha256": "ab12",
                             **result.to_dict()}  # fmt: skip
    row.fingerprint, row.fingerprinted = None, True
    assert list(row.to_dict())[-1] == "fingerprint" and row.to_dict()["fingerprint"] is None
    assert Row.from_dict(row.to_dict()) == row
    assert row.grade_result().to_dict() == result.to_dict()


def test_a_report_grade_batch_wrote_reads_back_to_the_same_text(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    for name, source in (("ann", "solution.py"), ("bob", "mistakes/triple.py")):
        (subs / name).mkdir(parents=True)
        shutil.copy(DOUBLE / source, subs / name / "double.py")
    (subs / "cy").mkdir()
    (subs / "cy" / "double.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    out = tmp_path / "r.json"
    run = CliRunner().invoke(
        cli,
        ["--problems", str(FIXTURES), "grade-batch", str(subs), "--level", "in-process",
         "--allow-basic-sandbox", "--cache", str(tmp_path / "cache"), "--out", str(out)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    text = out.read_text(encoding="utf-8")
    report = read_report(out)
    assert report.to_json() == text
    data = json.loads(text)
    assert list(data) == ["kind", "format", "judge_version", "shard", "problems", "rows",
                          "similarity", "not_graded"]  # fmt: skip
    assert [r.candidate for r in report.rows] == ["ann", "bob"]
    assert report.rows[1].verdict == "wrong_answer" and report.rows[1].fingerprinted
    assert [s.candidate for s in report.not_graded] == ["cy"]


def row_json(**change: object) -> dict:
    base = {"candidate": "ann", "file": "ann.py", "problem": "double", "verdict": "accepted",
            "score": 1.0, "max_score": 1.0, "grading_status": "graded", "tests": []}  # fmt: skip
    return {**base, **change}


def report_json(*rows: object, **change: object) -> str:
    return json.dumps({"kind": records.KIND, "format": 1, "rows": list(rows), **change})


HOSTILE = {
    "not JSON": ("{", "not a readable JSON report"),
    "empty": ("", "not a readable JSON report"),
    "a list": ("[]", "not a batch report"),
    "another kind": ('{"kind": "x", "rows": []}', "not a batch report"),
    "another format": (report_json(format=2), "report format 2"),
    "a row not an object": (report_json(1), "rows[0]: expected an object"),
    "a row without candidate": (report_json({"file": "a"}), "rows[0]: missing 'candidate'"),
    "a score that is text": (report_json(row_json(score="x")), "rows[0].score: expected"),
    "a score that is a bool": (report_json(row_json(score=True)), "rows[0].score"),
    "NaN": (report_json(row_json()).replace('"score": 1.0', '"score": NaN'), "NaN"),
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "not a readable JSON report"),
    "tests not a list": (report_json(row_json(tests={})), "rows[0].tests: expected list"),
    "a test without name": (report_json(row_json(tests=[{}])), "rows[0].tests[0]"),
    "a fingerprint of pairs": (report_json(row_json(fingerprint=[[1, 2]])), "fingerprint"),
    "a sandbox of numbers": (report_json(row_json(sandbox={"level": 1})), "sandbox.level"),
    "an escape in a key": (report_json(row_json(sandbox={"\x1b[2Jk": 1})), "sandbox.k: expected"),
    "problems a list": (report_json(problems=[]), "problems: expected an object"),
    "a pair without a": (
        report_json(similarity={"pairs": [{"problem": "d", "b": "x", "score": 1}]}),
        "similarity.pairs[0]: missing 'a'",
    ),
    "a region of text": (
        report_json(
            similarity={
                "pairs": [
                    {
                        "problem": "d",
                        "a": "x",
                        "b": "y",
                        "score": 1,
                        "regions": [{"a": "1-2", "b": [1, 2]}],
                    }
                ]
            }
        ),
        "regions[0].a",
    ),
    "not_graded of strings": (report_json(not_graded=["x"]), "not_graded[0]"),
    "an escape in a value": (
        report_json(row_json(score="\x1b[2J")),
        "rows[0].score: expected int or float, got '\\x1b[2J'",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_malformed_report_is_a_clear_error(tmp_path: Path, case: str) -> None:
    text, says = HOSTILE[case]
    path = tmp_path / "shard.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MergeError) as caught:
        load(path)
    assert str(path) in str(caught.value) and says in str(caught.value)
    run = CliRunner().invoke(cli, ["report", "merge", str(path), "--out", str(tmp_path / "m.json")])
    assert run.exit_code == 2 and isinstance(run.exception, SystemExit), run.exception
    assert says in run.stderr and "Traceback" not in run.output
    assert "\x1b" not in run.stderr and not (tmp_path / "m.json").exists()


def test_unreadable_and_oversized_reports_are_refused(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(ReportError, match="not a readable JSON report"):
        read_report(tmp_path / "missing.json")
    with pytest.raises(ReportError, match="not a readable JSON report"):
        read_report(tmp_path)  # a folder
    (tmp_path / "latin1.json").write_bytes(b'{"kind": "\xe9"}')
    with pytest.raises(ReportError, match="not a readable JSON report"):
        read_report(tmp_path / "latin1.json")
    big = tmp_path / "big.json"
    big.write_text(report_json(row_json()))
    monkeypatch.setattr(records, "MAX_REPORT_BYTES", 64)
    with pytest.raises(ReportError, match="larger than"):
        read_report(big)


def test_partial_reasons_print_names_without_escapes(tmp_path: Path) -> None:
    """A candidate names its folder: a merge's reasons quote it, escapes removed."""
    paths = []
    for k in (1, 2):
        path = tmp_path / f"s{k}.json"
        row = row_json(candidate="\x1b]0;owned\x07eve", verdict=str(k), fingerprint=None)
        path.write_text(report_json(row))
        paths.append(str(path))
    out = tmp_path / "m.json"
    run = CliRunner().invoke(cli, ["report", "merge", *paths, "--out", str(out)])
    assert run.exit_code == 2 and "eve/double in conflict" in run.stderr
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr
    run = CliRunner().invoke(cli, ["report", "merge", *paths, "--out", str(out), "--allow-partial"])
    assert run.exit_code == 0, run.output
    assert "\x1b" not in run.stderr and "eve/double in conflict" in run.stderr


def test_a_signed_cache_entry_that_is_not_a_row_is_graded_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    row = Row("ann", "ann.py", "double", "accepted", 1.0, 1.0)
    cache.put("k" * 64, row)
    assert cache.get("k" * 64) == row
    bogus = {"candidate": "ann", "score": "lots"}
    entry = {"mac": cache._mac("j" * 64, bogus), "row": bogus}
    (tmp_path / "cache" / "jj").mkdir()
    (tmp_path / "cache" / "jj" / f"{'j' * 64}.json").write_text(json.dumps(entry))
    assert cache.get("j" * 64) is None

"""Batch intake loses no candidate: every possible submission is graded or listed as not
graded (in every report and on stderr); reports are checked writable first and written all
or nothing. Grading runs in-process on the ``double`` fixture (trusted files)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from judge import batch
from judge.batch import report as batch_report
from judge.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
DOUBLE = FIXTURES / "double"
SOLUTION = (DOUBLE / "solution.py").read_text(encoding="utf-8")


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


def vanishing_batch(root: Path) -> dict[str, str]:
    """Each case that used to vanish; candidate -> "graded" or "listed"."""
    (root / "alice" / "alice-submission").mkdir(parents=True)
    (root / "alice" / "alice-submission" / "double.py").write_text(SOLUTION)
    (root / "bob").mkdir()
    (root / "bob" / "Double.PY").write_text(SOLUTION)
    (root / "carol").mkdir()
    (root / "carol" / "double.ipynb").write_text(notebook(SOLUTION))
    (root / "dave").mkdir()
    (root / "dave" / "quiz-tiny.yaml").write_text("q1: b\n")
    (root / "eve.py").write_text(SOLUTION)
    (root / "fay").mkdir()
    (root / "fay" / "double.py").write_bytes(b"\xef\xbb\xbf" + SOLUTION.encode())
    (root / "gus").mkdir()
    (root / "gus" / "double.py").write_bytes(b"# coding: latin-1\n# \xe9\n" + SOLUTION.encode())
    (root / "hal").mkdir()
    (root / "ian").mkdir()
    (root / "ian" / "double.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (root / "jo").mkdir()
    (root / "jo" / "double.py").write_text(SOLUTION)
    (root / "jo" / "old").mkdir()
    (root / "jo" / "old" / "double.py").write_text("def double(x):\n    return x\n")
    graded = ("alice", "bob", "carol", "fay", "gus", "jo")
    listed = ("dave", "eve", "hal", "ian", "jo")
    return {**{c: "listed" for c in listed}, **{c: "graded" for c in graded}}


def test_no_candidate_vanishes_from_any_report(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    expected = vanishing_batch(subs)
    out = {s: tmp_path / f"report{s}" for s in (".json", ".csv", ".html")}
    run = CliRunner().invoke(
        cli,
        ["--problems", str(FIXTURES), "grade-batch", str(subs), "--level", "in-process",
         "--allow-basic-sandbox", "--cache", str(tmp_path / "cache"),
         *(a for p in out.values() for a in ("--out", str(p)))],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    doc = json.loads(out[".json"].read_text())
    graded = {r["candidate"]: r for r in doc["rows"]}
    listed = {s["candidate"]: s for s in doc["not_graded"]}
    for candidate, fate in expected.items():
        assert candidate in (graded if fate == "graded" else listed), candidate
    for candidate in ("alice", "bob", "carol", "fay", "gus", "jo"):
        assert graded[candidate]["verdict"] == "accepted", graded[candidate]
    assert "YAML" in listed["dave"]["reason"] and "unzip" in listed["ian"]["reason"]
    assert "beside the candidates' folders" in listed["eve"]["reason"]
    assert "a second file for double" in listed["jo"]["reason"]
    csv_rows = list(csv.DictReader(io.StringIO(out[".csv"].read_text())))
    html = out[".html"].read_text()
    for candidate in expected:
        assert any(r["candidate"] == candidate for r in csv_rows), candidate
        assert candidate in html
        if expected[candidate] == "listed":
            assert f"not graded: {listed[candidate]['file']}" in run.stderr
    assert "Not graded" in html


def test_single_problem_layout_lists_what_it_cannot_grade(tmp_path: Path) -> None:
    (tmp_path / "zoe.PY").write_text(SOLUTION)
    (tmp_path / "yan").mkdir()
    (tmp_path / "yan" / "answer.py").write_text(SOLUTION)  # the one file: graded
    (tmp_path / "xia").mkdir()
    (tmp_path / "xia" / "a.py").write_text(SOLUTION)
    (tmp_path / "xia" / "b.py").write_text(SOLUTION)
    (tmp_path / "wes.yaml").write_text("x: 1\n")
    skipped: list[batch.Skipped] = []
    jobs, _ = batch.discover_jobs(tmp_path, [FIXTURES], problem="double", skipped=skipped)
    assert [(j.candidate, j.path.name) for j in jobs] == [("yan", "answer.py"), ("zoe", "zoe.PY")]
    assert sorted({s.candidate for s in skipped}) == ["wes", "xia"]
    assert all("none named double.py" in s.reason for s in skipped if s.candidate == "xia")


@pytest.mark.parametrize("bad", ["parent-is-a-file", "a-directory", "bad-suffix"])
def test_every_out_is_checked_before_grading(tmp_path: Path, bad: str) -> None:
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "double.py").write_text(SOLUTION)
    (tmp_path / "file").write_text("")
    target = {
        "parent-is-a-file": tmp_path / "file" / "r.json",
        "a-directory": tmp_path,
        "bad-suffix": tmp_path / "r.txt",
    }[bad]
    good = tmp_path / "good.csv"
    cache = tmp_path / "cache"
    run = CliRunner().invoke(
        cli,
        ["--problems", str(FIXTURES), "grade-batch", str(subs), "--level", "in-process",
         "--allow-basic-sandbox", "--cache", str(cache), "--out", str(good),
         "--out", str(target)],
    )  # fmt: skip
    assert run.exit_code == 2 and str(target) in run.stderr
    assert "Traceback" not in run.output
    assert not good.exists() and not cache.exists()  # nothing graded, nothing written


def test_reports_are_written_all_or_nothing(tmp_path: Path, monkeypatch) -> None:
    doc = batch_report.document([], {}, judge_version="x")
    targets = [tmp_path / "a.json", tmp_path / "b.csv", tmp_path / "c.html"]
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        batch_report.write(doc, targets)
    assert not any(p.exists() for p in targets)
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert batch_report.write(doc, targets) == targets
    assert all(p.is_file() for p in targets)


def test_out_dash_is_json_on_stdout(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    shutil.copy(DOUBLE / "solution.py", subs / "ann" / "double.py")
    run = CliRunner().invoke(
        cli,
        ["grade-batch", str(subs), "--problems", str(FIXTURES), "--level", "in-process",
         "--allow-basic-sandbox", "--cache", str(tmp_path / "cache"), "--out", "-"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert [r["candidate"] for r in doc["rows"]] == ["ann"]
    assert "ann  double  accepted" in run.stderr

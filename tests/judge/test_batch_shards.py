"""Shards on real schedulers (``--shard auto``: Slurm arrays, Kubernetes Indexed Jobs, 0-based)
and a ``report merge`` that refuses what is not one whole batch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from judge.batch import BatchError, Job, parse_shard, shard
from judge.batch import merge as batch_merge
from judge.batch import report as batch_report
from judge.batch.records import BatchReport, ProblemMeta, Row
from judge.cli import cli

SLURM_FROM_1 = {
    "SLURM_ARRAY_TASK_ID": "4",
    "SLURM_ARRAY_TASK_MIN": "1",
    "SLURM_ARRAY_TASK_COUNT": "4",
}


@pytest.mark.parametrize(
    ("env", "text", "expected"),
    [
        ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, "auto", (1, 4)),
        ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, "auto", (4, 4)),
        (
            {
                "SLURM_ARRAY_TASK_ID": "4",
                "SLURM_ARRAY_TASK_MIN": "1",
                "SLURM_ARRAY_TASK_COUNT": "4",
            },
            "auto",
            (4, 4),
        ),
        ({"JOB_COMPLETION_INDEX": "0"}, "auto/3", (1, 3)),
        ({"JOB_COMPLETION_INDEX": "2", "JUDGE_SHARDS": "3"}, "auto", (3, 3)),
        ({}, "2/5", (2, 5)),
    ],
)
def test_shard_auto_reads_the_schedulers_index(env: dict, text: str, expected: tuple) -> None:
    assert parse_shard(text, env) == expected


@pytest.mark.parametrize(
    ("env", "text", "error"),
    [
        ({}, "auto", "no scheduler index"),
        ({"JOB_COMPLETION_INDEX": "1"}, "auto", "count is unknown"),
        ({"JOB_COMPLETION_INDEX": "3"}, "auto/3", "outside 0..2"),
        ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"}, "auto", "not a number"),
        ({}, "0/4", "1 <= K <= N"),
    ],
)
def test_shard_auto_refuses_what_it_cannot_place(env: dict, text: str, error: str) -> None:
    with pytest.raises(BatchError, match=error):
        parse_shard(text, env)


@given(n=st.integers(1, 8), count=st.integers(0, 30))
def test_auto_shards_of_every_index_cover_the_batch_once(n: int, count: int) -> None:
    jobs = [Job(f"c{i:02d}", "double", Path(f"c{i}.py")) for i in range(count)]
    envs = [{"SLURM_ARRAY_TASK_ID": str(i), "SLURM_ARRAY_TASK_COUNT": str(n)} for i in range(n)]
    parts = [shard(jobs, *parse_shard("auto", env)) for env in envs]
    flat = [job for part in parts for job in part]
    assert sorted(flat) == sorted(jobs) and len(flat) == len(set(flat))


def report(
    shard_label: str | None, rows: list[tuple[str, str]], version: str = "v1"
) -> BatchReport:
    made = [Row(c, f"{c}.py", "double", v, 1.0, 1.0, sha256=c, fingerprinted=True) for c, v in rows]
    return batch_report.document(
        made, {"double": ProblemMeta("d", 1.0, "code")}, judge_version=version, shard=shard_label
    )


def one(label: str | None, candidate: str, verdict: str = "accepted", version: str = "v1"):
    return report(label, [(candidate, verdict)], version)


@pytest.mark.parametrize(
    ("docs", "reason"),
    [
        ([one("1/3", "a"), one("3/3", "c")], "missing shard(s) 2/3"),
        ([one("1/2", "a"), one("1/2", "a")], "shard 1/2 given 2 times"),
        ([one("1/2", "a"), one("2/2", "a", "wrong_answer")], "a/double in conflict"),
        ([one("1/2", "a"), one("2/2", "b", version="v2")], "several judge versions"),
        ([one(None, "a"), one("2/2", "b")], "whole batch"),
        ([one("1/2", "a"), one("2/3", "b")], "different splits"),
    ],
)
def test_merge_refuses_what_is_not_one_batch(docs: list[BatchReport], reason: str) -> None:
    with pytest.raises(batch_merge.MergeError, match=re.escape(reason)):
        batch_merge.merge(docs)
    partial = batch_merge.merge(docs, allow_partial=True)
    assert any(reason.split("(")[0].strip() in r for r in partial.partial)


def test_merge_of_all_shards_is_whole() -> None:
    docs = [report(f"{k}/3", [(f"c{k}", "accepted")]) for k in (2, 3, 1)]
    merged = batch_merge.merge(docs)
    assert [r.candidate for r in merged.rows] == ["c1", "c2", "c3"]
    assert not merged.partial and "partial" not in merged.to_dict()
    assert merged.judge_version == "v1"


def test_report_merge_exits_2_saying_why(tmp_path: Path) -> None:
    paths = []
    for k in (1, 3):
        path = tmp_path / f"s{k}.json"
        path.write_text(report(f"{k}/3", [(f"c{k}", "accepted")]).to_json())
        paths.append(str(path))
    out = tmp_path / "merged.json"
    run = CliRunner().invoke(cli, ["report", "merge", *paths, "--out", str(out)])
    assert run.exit_code == 2 and "missing shard(s) 2/3" in run.stderr and not out.exists()
    run = CliRunner().invoke(cli, ["report", "merge", *paths, "--out", str(out), "--allow-partial"])
    assert run.exit_code == 0, run.output
    assert "partial merge: missing shard(s) 2/3" in run.stderr
    assert json.loads(out.read_text())["partial"] == ["missing shard(s) 2/3"]
    html = batch_report.as_html(BatchReport.from_json(out.read_text()))
    assert "A partial report" in html and "missing shard(s) 2/3" in html

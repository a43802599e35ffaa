"""The interviewer's wing: grade a folder of candidates, report on it, flag copies.

- :mod:`judge.batch.discovery`: which files are submissions, for which problem; shards.
- :mod:`judge.batch.cache`: finished results on disk, keyed by everything that decides them.
- :mod:`judge.batch.pool`: grading in a process pool, one row per submission.
- :mod:`judge.batch.records`: the typed rows and report, and their JSON both ways.
- :mod:`judge.batch.untrusted_json`: fields read from a report or cache entry, type-checked.
- :mod:`judge.batch.report`: CSV / JSON / HTML reports, written all or nothing.
- :mod:`judge.batch.merge`: ``report merge``: shards' reports joined, or refused.
- :mod:`judge.batch.similarity`: AST normalisation and winnowing (MOSS) to flag copies.
- :mod:`judge.batch.cli`: the ``grade-batch``, ``report merge`` and ``progress`` commands.
"""

from judge.batch.cache import Cache, atomic_write, cache_key, judge_version, sha256_file
from judge.batch.discovery import (
    SUFFIXES,
    BatchError,
    Job,
    Skipped,
    discover_jobs,
    parse_shard,
    shard,
)
from judge.batch.pool import BatchOutcome, grade_jobs, grade_one
from judge.batch.records import BatchReport, NotGraded, ReportError, Row, read_report

__all__ = [
    "SUFFIXES",
    "BatchError",
    "BatchOutcome",
    "BatchReport",
    "Cache",
    "Job",
    "NotGraded",
    "ReportError",
    "Row",
    "Skipped",
    "atomic_write",
    "cache_key",
    "discover_jobs",
    "grade_jobs",
    "grade_one",
    "judge_version",
    "parse_shard",
    "read_report",
    "sha256_file",
    "shard",
]

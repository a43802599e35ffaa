"""``judge report merge``: shards' JSON reports (from ``grade-batch --shard K/N --out
shard.json``) read back, joined by :mod:`judge.batch.merge`, their similar pairs recomputed
across the shards, and written.

A report is a file someone may have edited: one that is malformed or hostile is a usage
error (exit 2, naming the file and the field), as is a set of reports that is not one whole
batch (unless ``--allow-partial``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from judge.batch import merge as batch_merge
from judge.batch import report as batch_report
from judge.batch import similarity
from judge.batch.cache import sha256_file
from judge.batch.cli.common import UsageFailure
from judge.batch.records import BatchReport, Similarity
from judge.problems import ProblemError, find_problem
from judge.submission import BadSubmission, read_source
from judge.text import clean

__all__ = ["merge_command", "report_group"]


@click.group("report")
def report_group() -> None:
    """Work with batch reports."""


@report_group.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    "outs",
    multiple=True,
    required=True,
    type=click.Path(),
    help="Merged report: .csv, .json or .html ('-': JSON on standard output); repeatable.",
)
@click.option(
    "--similarity-threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Flag pairs above this (default: the shards' own threshold).",
)
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Merge even with shards missing, rows given twice or in conflict, or several judge "
    "versions (the report says which).",
)
@click.pass_context
def merge_command(
    ctx: click.Context,
    reports: tuple[str, ...],
    outs: tuple[str, ...],
    similarity_threshold: float | None,
    allow_partial: bool,
) -> None:
    """Join shards' JSON reports (from grade-batch --shard K/N --out shard.json) into one.

    Refuses (exit 2, saying why) a missing shard, a row given twice or in conflict, and
    reports from different judge versions, unless --allow-partial. Similar pairs are
    recomputed across all shards from the fingerprints the reports store.
    """
    try:
        paths = batch_report.check_outputs(outs)
        merged = batch_merge.merge(
            [batch_merge.load(p) for p in reports], allow_partial=allow_partial
        )
        threshold = similarity_threshold
        if threshold is None:
            threshold = merged.similarity.threshold
        if threshold is None:
            threshold = similarity.DEFAULT_THRESHOLD
        packs = (ctx.obj or {}).get("packs", [])
        merged.similarity = Similarity(threshold, similar_again(merged, threshold, packs))
    except (ValueError, ProblemError) as exc:
        raise UsageFailure(clean(str(exc), 2000)) from exc
    for reason in merged.partial:
        click.echo(f"warning: partial merge: {reason}", err=True)
    for path in batch_report.write(merged, paths):
        click.echo(f"wrote {path} ({len(merged.rows)} submissions)", err=True)


def similar_again(merged: BatchReport, threshold: float, packs: list[str]) -> list[similarity.Pair]:
    """Similarity over merged rows from their stored fingerprints; a row's file, when it is
    still there unchanged, gives the matching regions their text. A row with no stored
    fingerprint (an older report) needs its file, unchanged (ValueError otherwise)."""
    prints: dict[str, dict[str, similarity.Fingerprint]] = {}
    kinds = {slug: meta.kind for slug, meta in merged.problems.items()}
    for row in merged.rows:
        if kinds.get(row.problem, "code") != "code":
            continue
        path = Path(row.file)
        unchanged = path.is_file() and sha256_file(path) == row.sha256
        lines = None
        if unchanged:
            with contextlib.suppress(OSError, BadSubmission):
                lines = read_source(path).splitlines()
        if row.fingerprinted:
            fp = similarity.from_stored(row.fingerprint, lines)
        elif unchanged:
            fp = similarity.fingerprint_file(path)
        else:
            raise ValueError(
                f"{path}: missing or changed since it was graded, and its report stores no "
                "fingerprint; cannot recompute similarity (regrade it with this judge)"
            )
        if fp is not None:
            prints.setdefault(row.problem, {})[row.candidate] = fp
    problems = {}
    for slug in sorted(prints):
        with contextlib.suppress(ProblemError):  # no reference to compare with, then
            problems[slug] = find_problem(slug, packs)
    references, starters = similarity.references_of(problems)
    return similarity.find_similar_prints(
        prints, references=references, boilerplate=starters, threshold=threshold
    )

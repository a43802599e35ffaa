"""``judge grade-batch``, ``judge report merge`` and ``judge progress``: thin click commands
over :mod:`judge.batch`, :mod:`judge.batch.report`, :mod:`judge.batch.merge`,
:mod:`judge.batch.similarity` and :mod:`judge.progress`, added to the main ``judge`` group
by :func:`register` (called once, in :mod:`judge.cli`).

``grade-batch`` exits 0 when every submission was graded (whatever the verdicts), 1 when
some rows are judge errors, 2 on a usage error (nothing graded, nothing written) and 130
when interrupted (finished results stay in the cache: rerun to continue).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from judge import batch, progress, report
from judge.batch import merge as batch_merge
from judge.batch import report as batch_report
from judge.batch import similarity
from judge.problems import Problem, ProblemError, all_problems, find_problem
from judge.results import GradeResult, TestResult
from judge.runner.limits import Limits
from judge.runner.sandbox import isolation_available
from judge.submission import BadSubmission, read_source
from judge.text import clean

EXIT_USAGE = 2
LEVELS = ("auto", "isolated", "basic", "in-process")


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _resolve_level(level: str, allow_basic: bool) -> str:
    """``auto`` -> the level that will really run; refuse the weak ones unless allowed."""
    if level == "auto":
        ok, why = isolation_available()
        level = "isolated" if ok else "basic"
        if not ok and not allow_basic:
            raise UsageFailure(
                f"the isolated sandbox is not available here ({why}); grading untrusted "
                "submissions at the basic level is unsafe: pass --allow-basic-sandbox to "
                "accept that"
            )
    if level in ("basic", "in-process") and not allow_basic:
        raise UsageFailure(
            f"--level {level} is unsafe for untrusted code; add --allow-basic-sandbox"
        )
    return level


def parse_limits(items: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs -> overrides of :class:`~judge.runner.limits.Limits` fields."""
    kinds = {f.name: f.type for f in fields(Limits)}
    out: dict[str, Any] = {}
    for item in items:
        name, _, text = item.partition("=")
        if name not in kinds:
            raise ValueError(
                f"--limit {item!r}: expected NAME=VALUE with NAME one of {list(kinds)}"
            )
        try:
            value = float(text) if "float" in str(kinds[name]) else int(text)
        except ValueError:
            raise ValueError(f"--limit {item!r}: expected a number") from None
        if value <= 0:
            raise ValueError(f"--limit {item!r}: expected a positive number")
        out[name] = value
    return out


def _problem_meta(problems: dict[str, Problem]) -> dict[str, dict[str, Any]]:
    return {
        slug: {"title": p.title, "max_score": p.points, "kind": p.kind}
        for slug, p in problems.items()
    }


def _references(problems: dict[str, Problem]) -> tuple[dict, dict]:
    """Per code problem: the reference sources compared with, the starter ignored."""
    references, starters = {}, {}
    for slug, problem in problems.items():
        if problem.kind != "code":
            continue
        refs = [("reference:solution.py", similarity.reference_source(problem.solution))]
        refs += [
            (f"reference:alternatives/{p.name}", p.read_text(encoding="utf-8"))
            for p in problem.alternatives
        ]
        references[slug] = refs
        starters[slug] = problem.starter.read_text(encoding="utf-8")
    return references, starters


def _similar(
    rows: list[dict[str, Any]], problems: dict[str, Problem], threshold: float
) -> list[dict[str, Any]]:
    """Similar pairs among ``rows``; each code row keeps its fingerprint (``report merge``
    compares rows of different shards with it, without the files)."""
    prints: dict[str, dict[str, similarity.Fingerprint]] = {}
    for row in rows:
        if problems[row["problem"]].kind != "code":
            continue
        fp = similarity.fingerprint_file(row["file"])
        row["fingerprint"] = similarity.to_stored(fp) if fp is not None else None
        if fp is not None:
            prints.setdefault(row["problem"], {})[row["candidate"]] = fp
    references, starters = _references(problems)
    pairs = similarity.find_similar_prints(
        prints, references=references, boilerplate=starters, threshold=threshold
    )
    return [pair.to_dict() for pair in pairs]


def _gradescope(rows: list[dict[str, Any]], folder: Path) -> None:
    for row in rows:
        result = GradeResult(
            row["problem"],
            row.get("verdict"),
            row.get("score", 0.0),
            row.get("max_score", 0.0),
            row.get("time_s", 0.0),
            [TestResult(**t) for t in row.get("tests", [])],
            row.get("sandbox") or {},
            row.get("grading_status", "graded"),
            row.get("error"),
        )
        target = folder / row["candidate"] / f"{row['problem']}.json"
        batch.atomic_write(target, report.gradescope(result))


@click.command("grade-batch")
@click.argument("directory", type=click.Path())
@click.option("--problem", "slug", help="Grade DIR/<candidate>.py on this problem only.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--shard",
    help="Grade only shard K of N (K/N, 1-based, e.g. for a CI matrix), or 'auto' / 'auto/N' "
    "from a Slurm array's or Kubernetes Indexed Job's 0-based index.",
)
@click.option(
    "--out",
    "outs",
    multiple=True,
    type=click.Path(),
    help="Report file: .csv, .json or .html ('-': JSON on standard output); repeatable.",
)
@click.option(
    "--gradescope-dir",
    type=click.Path(file_okay=False),
    help="Also write Gradescope results.json per submission: DIR/<candidate>/<slug>.json.",
)
@click.option(
    "--cache",
    "cache_dir",
    default=".judge-cache",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where finished results are kept.",
)
@click.option("--force", is_flag=True, help="Regrade everything, ignoring the cache.")
@click.option("--level", type=click.Choice(LEVELS), default="auto", show_default=True)
@click.option("--allow-basic-sandbox", is_flag=True, help="Allow the basic (weak) sandbox.")
@click.option(
    "--similarity-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=similarity.DEFAULT_THRESHOLD,
    show_default=True,
    help="Flag pairs whose fingerprints overlap this much (Jaccard).",
)
@click.option("--time-limit", type=float, help="Seconds per call (overrides problem.toml).")
@click.option("--memory-limit", type=int, help="MiB (overrides problem.toml).")
@click.option(
    "--limit",
    "extra_limits",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override any field of Limits, e.g. reply_bytes=1048576; repeatable.",
)
@click.pass_context
def grade_batch(
    ctx: click.Context,
    directory: str,
    slug: str | None,
    jobs: int | None,
    shard: str | None,
    outs: tuple[str, ...],
    gradescope_dir: str | None,
    cache_dir: str,
    force: bool,
    level: str,
    allow_basic_sandbox: bool,
    similarity_threshold: float,
    time_limit: float | None,
    memory_limit: int | None,
    extra_limits: tuple[str, ...],
) -> None:
    """Grade every submission under DIRECTORY: DIR/<candidate>/<slug>.py, or
    DIR/<candidate>.py with --problem. Reports go to --out; a summary to stdout."""
    packs = (ctx.obj or {}).get("packs", [])
    # a candidate's file and folder names are theirs: printed without escapes
    warn = lambda message: click.echo(f"warning: {clean(message, 1000)}", err=True)  # noqa: E731
    try:
        paths = batch_report.check_outputs(outs)
        k_n = batch.parse_shard(shard) if shard else None
        limits = {
            **parse_limits(extra_limits),
            "time_s": time_limit,
            "memory_mb": memory_limit,
        }
        skipped: list[batch.Skipped] = []
        found, problems = batch.discover_jobs(
            directory, packs, problem=slug, warn=warn, skipped=skipped
        )
    except (ValueError, ProblemError) as exc:
        raise UsageFailure(str(exc)) from exc
    level = _resolve_level(level, allow_basic_sandbox)
    if level == "in-process":
        warn("--level in-process runs the submissions unsandboxed (trusted files only)")
    todo = batch.shard(found, *k_n) if k_n else found
    bar = None
    if sys.stderr.isatty() and todo:
        bar = click.progressbar(length=len(todo), label="grading", file=sys.stderr)
        bar.__enter__()
    # A scheduler's SIGTERM (CI cancel, Slurm time-out) stops the pool like Ctrl-C does.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcome = batch.grade_jobs(
            todo,
            problems,
            jobs_n=jobs,
            level=level,
            cache_dir=cache_dir,
            force=force,
            limits=limits,
            on_done=(lambda row: bar.update(1)) if bar else (lambda row: None),
        )
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted: finished results are kept in {cache_dir}/; "
            "rerun the same command to continue",
            err=True,
        )
        ctx.exit(130)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if bar is not None:
            bar.__exit__(None, None, None)
    rows = outcome.rows
    try:  # bounded per submission; whatever still fails costs the pairs, never the reports
        pairs = _similar(rows, problems, similarity_threshold)
    except Exception as exc:  # MemoryError too
        warn(f"similarity not computed: {type(exc).__name__}: {exc}"[:300])
        pairs = []
    doc = batch_report.document(
        rows,
        _problem_meta(problems),
        pairs=pairs,
        threshold=similarity_threshold,
        judge_version=batch.judge_version(),
        shard=f"{k_n[0]}/{k_n[1]}" if k_n else None,
        not_graded=[item.to_dict() for item in skipped],
    )
    for path in batch_report.write(doc, paths):
        click.echo(f"wrote {path}", err=True)
    to_stderr = any(str(p) == batch_report.STDOUT for p in paths)  # stdout holds the JSON
    if gradescope_dir:
        _gradescope(rows, Path(gradescope_dir))
    width = max((len(r["candidate"]) for r in rows), default=0)
    for row in rows:
        click.echo(
            f"{row['candidate'].ljust(width)}  {row['problem']}  "
            f"{row.get('verdict') or 'judge error'}  "
            f"{batch_report.points(row['score'])}/{batch_report.points(row['max_score'])}",
            err=to_stderr,
        )
    for pair in pairs:
        click.echo(
            f"similar: {pair['problem']}: {pair['a']} ~ {pair['b']} ({pair['score']:.2f})",
            err=to_stderr,
        )
    for item in skipped:
        click.echo(f"not graded: {item.path}: {item.reason}", err=True)
    errors = sum(r.get("grading_status") != "graded" for r in rows)
    accepted = sum(r.get("verdict") == "accepted" for r in rows)
    click.echo(
        f"{len(rows)} submissions: {accepted} accepted, {errors} judge errors "
        f"({outcome.cached} from the cache); {len(skipped)} file(s) not graded",
        err=True,
    )
    ctx.exit(1 if errors else 0)


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
            threshold = merged["similarity"].get("threshold")
        if threshold is None:
            threshold = similarity.DEFAULT_THRESHOLD
        merged["similarity"] = {
            "threshold": threshold,
            "pairs": _similar_again(ctx, merged, threshold),
        }
    except (ValueError, ProblemError) as exc:
        raise UsageFailure(str(exc)) from exc
    for reason in merged.get("partial", []):
        click.echo(f"warning: partial merge: {reason}", err=True)
    for path in batch_report.write(merged, paths):
        click.echo(f"wrote {path} ({len(merged['rows'])} submissions)", err=True)


def _similar_again(
    ctx: click.Context, merged: dict[str, Any], threshold: float
) -> list[dict[str, Any]]:
    """Similarity over merged rows from their stored fingerprints; a row's file, when it is
    still there unchanged, gives the matching regions their text. A row with no stored
    fingerprint (an older report) needs its file, unchanged."""
    prints: dict[str, dict[str, similarity.Fingerprint]] = {}
    kinds = {slug: meta.get("kind", "code") for slug, meta in merged["problems"].items()}
    for row in merged["rows"]:
        if kinds.get(row["problem"], "code") != "code":
            continue
        path = Path(row["file"])
        unchanged = path.is_file() and batch.sha256_file(path) == row.get("sha256")
        lines = None
        if unchanged:
            with contextlib.suppress(OSError, BadSubmission):
                lines = read_source(path).splitlines()
        if "fingerprint" in row:
            fp = similarity.from_stored(row["fingerprint"], lines)
        elif unchanged:
            fp = similarity.fingerprint_file(path)
        else:
            raise ValueError(
                f"{path}: missing or changed since it was graded, and its report stores no "
                "fingerprint; cannot recompute similarity (regrade it with this judge)"
            )
        if fp is not None:
            prints.setdefault(row["problem"], {})[row["candidate"]] = fp
    packs = (ctx.obj or {}).get("packs", [])
    problems = {}
    for slug in sorted(prints):
        with contextlib.suppress(ProblemError):  # no reference to compare with, then
            problems[slug] = find_problem(slug, packs)
    references, starters = _references(problems)
    pairs = similarity.find_similar_prints(
        prints, references=references, boilerplate=starters, threshold=threshold
    )
    return [pair.to_dict() for pair in pairs]


@click.command("progress")
@click.option("--reset", is_flag=True, help="Forget the history.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per problem.")
@click.pass_context
def progress_command(ctx: click.Context, reset: bool, as_json: bool) -> None:
    """Solved / attempted / best score per problem, from the history `judge grade` keeps."""
    path = progress.history_path()
    if reset:
        had = progress.reset(path)
        click.echo(f"{'deleted' if had else 'no history at'} {path}")
        return
    done = progress.summary(progress.read(path))
    try:
        known = all_problems((ctx.obj or {}).get("packs", []), errors=[])
    except ProblemError as exc:
        raise UsageFailure(str(exc)) from exc
    slugs = [p.slug for p in known] + sorted(set(done) - {p.slug for p in known})
    if as_json:
        rows = [vars(done[s]) if s in done else {"problem": s, "attempts": 0} for s in slugs]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(s) for s in slugs), default=0)
    for s in slugs:
        item = done.get(s)
        if item is None:
            status, detail = click.style("·", fg="bright_black"), "not attempted"
        else:
            status = click.style("✓", fg="green") if item.solved else click.style("~", fg="yellow")
            detail = (
                f"best {item.best_score:g}/{item.max_score:g}, {item.attempts} attempt"
                f"{'s' if item.attempts != 1 else ''}"
            )
        click.echo(f"{status} {s.ljust(width)}  {detail}")
    solved = sum(item.solved for item in done.values())
    click.echo(f"solved {solved}, attempted {len(done)}, of {len(slugs)} problems ({path})")


def register(group: click.Group) -> None:
    """Add this module's commands to the ``judge`` group."""
    group.add_command(grade_batch)
    group.add_command(report_group)
    group.add_command(progress_command)

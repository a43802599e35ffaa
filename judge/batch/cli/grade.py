"""``judge grade-batch``: every submission under a folder graded (:mod:`judge.batch`), copies
flagged (:mod:`judge.batch.similarity`), and the reports written (:mod:`judge.batch.report`).

Exits 0 when every submission was graded (whatever the verdicts), 1 when some rows are judge
errors, 2 on a usage error (nothing graded, nothing written) and 130 when interrupted
(finished results stay in the cache: rerun to continue).
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from judge import batch, report
from judge.batch import report as batch_report
from judge.batch import similarity
from judge.batch.cli.common import UsageFailure
from judge.batch.records import NotGraded, ProblemMeta, Row
from judge.problems import Problem, ProblemError
from judge.runner.limits import Limits
from judge.runner.sandbox import isolation_available
from judge.text import clean

__all__ = ["LEVELS", "grade_batch", "parse_limits"]

LEVELS = ("auto", "isolated", "basic", "in-process")


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


def _problem_meta(problems: dict[str, Problem]) -> dict[str, ProblemMeta]:
    return {slug: ProblemMeta(p.title, p.points, p.kind) for slug, p in problems.items()}


def _similar(
    rows: list[Row], problems: dict[str, Problem], threshold: float
) -> list[similarity.Pair]:
    """Similar pairs among ``rows``; each code row keeps its fingerprint (``report merge``
    compares rows of different shards with it, without the files)."""
    prints: dict[str, dict[str, similarity.Fingerprint]] = {}
    for row in rows:
        if problems[row.problem].kind != "code":
            continue
        fp = similarity.fingerprint_file(row.file)
        row.fingerprint = similarity.to_stored(fp) if fp is not None else None
        row.fingerprinted = True
        if fp is not None:
            prints.setdefault(row.problem, {})[row.candidate] = fp
    references, starters = similarity.references_of(problems)
    return similarity.find_similar_prints(
        prints, references=references, boilerplate=starters, threshold=threshold
    )


def _gradescope(rows: list[Row], folder: Path) -> None:
    for row in rows:
        target = folder / row.candidate / f"{row.problem}.json"
        batch.atomic_write(target, report.gradescope(row.grade_result()))


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
        not_graded=[NotGraded(item.candidate, str(item.path), item.reason) for item in skipped],
    )
    for path in batch_report.write(doc, paths):
        click.echo(f"wrote {path}", err=True)
    to_stderr = any(str(p) == batch_report.STDOUT for p in paths)  # stdout holds the JSON
    if gradescope_dir:
        _gradescope(rows, Path(gradescope_dir))
    width = max((len(r.candidate) for r in rows), default=0)
    for row in rows:
        click.echo(
            f"{row.candidate.ljust(width)}  {row.problem}  {row.verdict or 'judge error'}  "
            f"{batch_report.points(row.score)}/{batch_report.points(row.max_score)}",
            err=to_stderr,
        )
    for pair in pairs:
        click.echo(
            f"similar: {pair.problem}: {pair.a} ~ {pair.b} ({pair.score:.2f})", err=to_stderr
        )
    for item in skipped:
        click.echo(f"not graded: {item.path}: {item.reason}", err=True)
    errors = sum(not r.graded for r in rows)
    accepted = sum(r.verdict == "accepted" for r in rows)
    click.echo(
        f"{len(rows)} submissions: {accepted} accepted, {errors} judge errors "
        f"({outcome.cached} from the cache); {len(skipped)} file(s) not graded",
        err=True,
    )
    ctx.exit(1 if errors else 0)

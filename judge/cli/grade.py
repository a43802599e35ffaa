"""``judge test`` and ``judge grade``: one file graded on the public or the hidden tests,
reported in any of :data:`judge.report.FORMATS`, recorded for ``judge progress``.

Exit status: 0 accepted, 1 graded but not accepted, 2 not graded (a judge error, an
unknown problem, a file that cannot be read).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from judge import progress, report
from judge.cli.common import EXIT_ACCEPTED, EXIT_ERROR, EXIT_REJECTED, Failure, complete_slug, find
from judge.grading import LEVELS, SEED_RANGE, BadSubmission, grade, unreadable_result
from judge.problems import Problem, ProblemError
from judge.results import GradeResult
from judge.submission import Unreadable

F = TypeVar("F", bound=Callable[..., Any])


def _emit(result: GradeResult, fmt: str, out: str | None, problem: Problem) -> None:
    rendered = report.render(result, fmt, problem)
    if out and out != "-":
        Path(out).write_text(click.unstyle(rendered), encoding="utf-8")
        click.echo(f"{result.problem}: {result.verdict or 'judge error'} -> {out}", err=True)
    else:
        click.echo(rendered, nl=False)


def _run(
    ctx: click.Context,
    slug: str,
    file: str,
    tests: str,
    fmt: str,
    out: str | None,
    level: str,
    seed: int | None = None,
    **limits: Any,
) -> None:
    problem = find(ctx, slug)
    if level == "in-process":
        click.echo(
            "warning: --level in-process runs the file unsandboxed (trusted files only)", err=True
        )
    try:
        result = grade(problem, file, tests=tests, level=level, seed=seed, **limits)
    except Unreadable as exc:  # empty, binary, no entry point: a verdict, in every format
        result = unreadable_result(problem, exc, hidden=tests == "hidden")
    except (BadSubmission, ProblemError) as exc:
        raise Failure(str(exc)) from exc
    _emit(result, fmt, out, problem)
    progress.record(result)  # `judge progress` reads it; only graded hidden-test runs count
    if result.grading_status != "graded":
        ctx.exit(EXIT_ERROR)
    ctx.exit(EXIT_ACCEPTED if result.accepted else EXIT_REJECTED)


_format_options = [
    click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
    click.option(
        "--format", "fmt", type=click.Choice(report.FORMATS), default="text", show_default=True
    ),
    click.option(
        "--out",
        type=click.Path(dir_okay=False, allow_dash=True),
        help="Write the report to a file ('-': standard output).",
    ),
    click.option(
        "--level",
        type=click.Choice(LEVELS),
        default="auto",
        show_default=True,
        help="Sandbox isolation level (in-process: trusted files only).",
    ),
]


def _with_format_options(fn: F) -> F:
    for option in reversed(_format_options):
        fn = option(fn)
    return fn


@click.command()
@click.argument("slug", shell_complete=complete_slug)
@click.argument("file", type=click.Path())
@_with_format_options
@click.pass_context
def test(
    ctx: click.Context, slug: str, file: str, as_json: bool, fmt: str, out: str | None, level: str
) -> None:
    """Run the public tests on FILE, with full feedback."""
    _run(ctx, slug, file, "public", "json" if as_json else fmt, out, level)


@click.command("grade")
@click.argument("slug", shell_complete=complete_slug)
@click.argument("file", type=click.Path())
@_with_format_options
@click.option("--time-limit", type=float, help="Seconds per call (overrides problem.toml).")
@click.option("--memory-limit", type=int, help="MiB (overrides problem.toml).")
@click.option(
    "--seed",
    type=click.IntRange(0, SEED_RANGE - 1),
    help="Replay a grade: the hidden tests' inputs come from this seed (default: a fresh one).",
)
@click.pass_context
def grade_command(
    ctx: click.Context,
    slug: str,
    file: str,
    as_json: bool,
    fmt: str,
    out: str | None,
    level: str,
    time_limit: float | None,
    memory_limit: int | None,
    seed: int | None,
) -> None:
    """Grade FILE on the hidden tests."""
    _run(
        ctx,
        slug,
        file,
        "hidden",
        "json" if as_json else fmt,
        out,
        level,
        seed=seed,
        time_s=time_limit,
        memory_mb=memory_limit,
    )

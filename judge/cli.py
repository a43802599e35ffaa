"""The ``judge`` command: a thin click skin over judge.problems, judge.grading, judge.report.

Exit status: 0 accepted (or all problems check out), 1 graded but not accepted, 2 usage
error, broken problem or judge error.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from judge import progress, report
from judge.batch.cli import register as register_batch_commands
from judge.grading import LEVELS, SEED_RANGE, BadSubmission, GradeResult, check_problem, grade
from judge.problems import TOPICS, Problem, ProblemError, all_problems, find_problem

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """A usage error, broken problem or judge error: message on stderr, exit 2."""

    exit_code = EXIT_ERROR


def _packs(ctx: click.Context) -> list[str]:
    return ctx.obj["packs"]


def _problem(ctx: click.Context, slug: str) -> Problem:
    try:
        return find_problem(slug, _packs(ctx))
    except ProblemError as exc:
        raise Failure(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--problems",
    "packs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A private problem pack (a folder of problem folders); repeatable. Also JUDGE_PROBLEMS.",
)
@click.version_option(package_name="metajudge")
@click.pass_context
def cli(ctx: click.Context, packs: tuple[str, ...]) -> None:
    """Interview problems on meta-learning, distillation, compression and model fusion,
    and a sandboxed judge for them."""
    ctx.obj = {"packs": list(packs)}


@cli.command("list")
@click.option("--tag", help="Only problems with this tag.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]))
@click.option("--topic", type=click.Choice(TOPICS))
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.pass_context
def list_problems(
    ctx: click.Context, tag: str | None, difficulty: str | None, topic: str | None, as_json: bool
) -> None:
    """List the problems in study order."""
    broken: list[ProblemError] = []
    try:
        problems = all_problems(_packs(ctx), errors=broken)
    except ProblemError as exc:
        raise Failure(str(exc)) from exc
    for exc in broken:
        click.echo(f"warning: skipped a broken problem: {exc}", err=True)
    problems = [
        p
        for p in problems
        if (tag is None or tag in p.tags)
        and (difficulty is None or p.difficulty == difficulty)
        and (topic is None or p.topic == topic)
    ]
    if as_json:
        rows = [
            {
                "slug": p.slug,
                "title": p.title,
                "title_zh": p.title_zh,
                "kind": p.kind,
                "difficulty": p.difficulty,
                "topic": p.topic,
                "order": p.order,
                "tags": list(p.tags),
                "entry_points": list(p.entry_points),
                "points": p.points,
            }
            for p in problems
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max((len(p.slug) for p in problems), default=0)
    for p in problems:
        level = {"easy": "green", "medium": "yellow", "hard": "red"}[p.difficulty]
        click.echo(
            f"{p.slug.ljust(width)}  {click.style(p.difficulty.ljust(6), fg=level)}  "
            f"{p.topic.ljust(13)}  {p.title}"
        )


@cli.command()
@click.argument("slug")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--raw", is_flag=True, help="The Markdown source, math as LaTeX.")
@click.pass_context
def show(ctx: click.Context, slug: str, lang: str, raw: bool) -> None:
    """Print a problem's statement (math as plain text unless --raw)."""
    from judge.plainmath import plain_math

    problem = _problem(ctx, slug)
    title = problem.title_zh if lang == "zh" else problem.title
    click.echo(click.style(f"{title}  [{problem.slug}, {problem.difficulty}]", bold=True))
    try:
        prompt = problem.prompt(lang)
        click.echo(prompt if raw else plain_math(prompt))
    except ProblemError as exc:
        raise Failure(str(exc)) from exc
    if problem.is_quiz:
        from judge.quiz import render_questions

        click.echo(render_questions(problem, lang))
    else:
        click.echo(
            f"Entry points: {', '.join(problem.entry_points)}; "
            f"{problem.limits.time_s:g} s per call, {problem.limits.memory_mb} MiB."
        )
        click.echo(f"Start with: judge init {problem.slug}")


@cli.command()
@click.argument("slug")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.pass_context
def init(ctx: click.Context, slug: str, directory: str | None, force: bool) -> None:
    """Copy the starter (and the public tests) into a workspace, DIRECTORY (default ./SLUG)."""
    problem = _problem(ctx, slug)
    target = Path(directory or problem.slug)
    if problem.is_quiz:
        files = {problem.starter: f"{problem.slug}.toml", problem.questions: "questions.toml"}
    else:
        files = {problem.starter: f"{problem.slug}.py", problem.public_tests: "public_tests.py"}
    files[problem.path / "prompt.md"] = "prompt.md"
    clashes = [name for name in files.values() if (target / name).exists()]
    if clashes and not force:
        raise Failure(f"{target}: {', '.join(clashes)} already exist(s); use --force to overwrite")
    target.mkdir(parents=True, exist_ok=True)
    for source, name in files.items():
        shutil.copyfile(source, target / name)
    work = target / next(iter(files.values()))
    click.echo(f"Wrote {', '.join(files.values())} to {target}/")
    click.echo(f"Edit {work}, then: judge test {problem.slug} {work}")


def _emit(result: GradeResult, fmt: str, out: str | None) -> None:
    rendered = report.render(result, fmt)
    if out:
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
    problem = _problem(ctx, slug)
    if level == "in-process":
        click.echo(
            "warning: --level in-process runs the file unsandboxed (trusted files only)", err=True
        )
    try:
        result = grade(problem, file, tests=tests, level=level, seed=seed, **limits)
    except (BadSubmission, ProblemError) as exc:
        raise Failure(str(exc)) from exc
    _emit(result, fmt, out)
    progress.record(result)  # `judge progress` reads it; only graded hidden-test runs count
    if result.grading_status != "graded":
        ctx.exit(EXIT_ERROR)
    ctx.exit(EXIT_ACCEPTED if result.accepted else EXIT_REJECTED)


_format_options = [
    click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
    click.option(
        "--format", "fmt", type=click.Choice(report.FORMATS), default="text", show_default=True
    ),
    click.option("--out", type=click.Path(dir_okay=False), help="Write the report to a file."),
    click.option(
        "--level",
        type=click.Choice(LEVELS),
        default="auto",
        show_default=True,
        help="Sandbox isolation level (in-process: trusted files only).",
    ),
]


def _with_format_options(fn: Any) -> Any:
    for option in reversed(_format_options):
        fn = option(fn)
    return fn


@cli.command()
@click.argument("slug")
@click.argument("file", type=click.Path())
@_with_format_options
@click.pass_context
def test(
    ctx: click.Context, slug: str, file: str, as_json: bool, fmt: str, out: str | None, level: str
) -> None:
    """Run the public tests on FILE, with full feedback."""
    _run(ctx, slug, file, "public", "json" if as_json else fmt, out, level)


@cli.command("grade")
@click.argument("slug")
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


@cli.command("check-problems")
@click.argument("slugs", nargs=-1)
@click.option("--level", type=click.Choice(LEVELS), default="auto", show_default=True)
@click.option(
    "--fast",
    is_flag=True,
    help="Sandbox only the solution; alternatives, starter, mistakes in-process.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, SEED_RANGE - 1),
    help="Hidden-test inputs from this seed for every file (default: a fresh seed per grade).",
)
@click.pass_context
def check_problems(
    ctx: click.Context, slugs: tuple[str, ...], level: str, fast: bool, seed: int | None
) -> None:
    """Every problem folder valid; solution accepted; starter and every mistake rejected."""
    errors: list[ProblemError] = []
    try:
        problems = (
            [find_problem(s, _packs(ctx)) for s in slugs]
            if slugs
            else all_problems(_packs(ctx), errors=errors)
        )
    except ProblemError as exc:
        raise Failure(str(exc)) from exc
    for exc in errors:
        click.echo(f"{click.style('FAIL', fg='red')} {exc}")
    broken = len(errors)
    for problem in problems:
        result = check_problem(
            problem, level=level, others_level="in-process" if fast else None, seed=seed
        )
        mark = click.style("ok  ", fg="green") if result.ok else click.style("FAIL", fg="red")
        checked = sum(1 for i in result.items if i.expected != "present")
        click.echo(f"{mark} {problem.slug} ({checked} files graded)")
        for item in result.failures:
            click.echo(f"     {item.file}: expected {item.expected}; {item.message}")
        for note in result.notes:
            click.echo(f"     {click.style('note', fg='yellow')}: {note}")
        broken += not result.ok
    if broken:
        raise Failure(f"{broken} of {len(problems) + len(errors)} problems failed their checks")
    click.echo(f"all {len(problems)} problems check out")


@cli.group()
def site() -> None:
    """The static study site (judge.site)."""


@site.command("build")
@click.option("--out", type=click.Path(file_okay=False), default="_site", show_default=True)
@click.pass_context
def site_build(ctx: click.Context, out: str) -> None:
    """Render every problem into a static site under OUT."""
    from judge.site.build import build_site, site_problems

    problems, broken = site_problems(_packs(ctx))
    for message in broken:
        click.echo(f"warning: {message}", err=True)
    try:
        summary = build_site(Path(out), problems)
    except (FileExistsError, ProblemError) as exc:
        raise Failure(str(exc)) from exc
    click.echo(summary.table())


@site.command("serve")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False), default="_site", show_default=True
)
@click.option("--port", type=int, default=8000, show_default=True)
def site_serve(directory: str, port: int) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    from judge.site.build import serve

    try:
        serve(Path(directory), port=port)
    except FileNotFoundError as exc:
        raise Failure(str(exc)) from exc


register_batch_commands(cli)  # the one place commands are added from outside this module


def main() -> None:
    """Console-script entry point (``judge``)."""
    cli(prog_name="judge")


if __name__ == "__main__":
    sys.exit(main())

"""The ``judge`` command: a thin click skin over judge.problems, judge.grading, judge.report.

Exit status: 0 accepted (or all problems check out), 1 graded but not accepted, 2 usage
error, broken problem or judge error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from judge import platforms, progress, report
from judge.batch.cli import register as register_batch_commands
from judge.checking import check_problem
from judge.grading import LEVELS, SEED_RANGE, BadSubmission, grade, unreadable_result
from judge.layout import KINDS
from judge.plainmath import plain_math
from judge.problems import REPO_PROBLEMS, TOPICS, Problem, ProblemError, all_problems, find_problem
from judge.quiz import render_questions
from judge.resources import DISTRIBUTION
from judge.results import GradeResult
from judge.scaffold import new_problem
from judge.submission import Unreadable

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


def complete_slug(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Problem slugs for shell completion (``_JUDGE_COMPLETE=bash_source judge``)."""
    packs = (ctx.find_root().params or {}).get("packs") or ()
    try:
        problems = all_problems(packs, errors=[])
    except ProblemError:
        return []
    return [CompletionItem(p.slug, help=p.title) for p in problems if p.slug.startswith(incomplete)]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--problems",
    "packs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A private problem pack (a folder of problem folders); repeatable. Also JUDGE_PROBLEMS.",
)
@click.version_option(package_name=DISTRIBUTION, message="%(prog)s (%(package)s) %(version)s")
@click.pass_context
def cli(ctx: click.Context, packs: tuple[str, ...]) -> None:
    """Interview problems on meta-learning, distillation, compression and model fusion,
    and a sandboxed judge for them."""
    ctx.obj = {"packs": list(packs)}
    if os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        ctx.color = False


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
    for error in broken:
        click.echo(f"warning: skipped a broken problem: {error}", err=True)
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
@click.argument("slug", shell_complete=complete_slug)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--raw", is_flag=True, help="The Markdown source, math as LaTeX.")
@click.pass_context
def show(ctx: click.Context, slug: str, lang: str, raw: bool) -> None:
    """Print a problem's statement (math as plain text unless --raw)."""
    problem = _problem(ctx, slug)
    title = problem.title_zh if lang == "zh" else problem.title
    click.echo(click.style(f"{title}  [{problem.slug}, {problem.difficulty}]", bold=True))
    try:
        prompt = problem.prompt(lang)
        click.echo(prompt if raw else plain_math(prompt))
    except ProblemError as exc:
        raise Failure(str(exc)) from exc
    if problem.is_quiz:
        click.echo(render_questions(problem, lang))
    else:
        click.echo(
            f"Entry points: {', '.join(problem.entry_points)}; "
            f"{problem.limits.time_s:g} s per call, {problem.limits.memory_mb} MiB."
        )
        click.echo(f"Start with: judge init {problem.slug}")


@cli.command()
@click.argument("slug", shell_complete=complete_slug)
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
    problem = _problem(ctx, slug)
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


def _with_format_options(fn: Any) -> Any:
    for option in reversed(_format_options):
        fn = option(fn)
    return fn


@cli.command()
@click.argument("slug", shell_complete=complete_slug)
@click.argument("file", type=click.Path())
@_with_format_options
@click.pass_context
def test(
    ctx: click.Context, slug: str, file: str, as_json: bool, fmt: str, out: str | None, level: str
) -> None:
    """Run the public tests on FILE, with full feedback."""
    _run(ctx, slug, file, "public", "json" if as_json else fmt, out, level)


@cli.command("grade")
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


@cli.command("check-problems")
@click.argument("slugs", nargs=-1, shell_complete=complete_slug)
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
    for error in errors:
        click.echo(f"{click.style('FAIL', fg='red')} {error}")
    broken = len(errors)
    for problem in problems:
        result = check_problem(
            problem, level=level, others_level="in-process" if fast else None, seed=seed
        )
        graded = sum(1 for i in result.items if i.expected not in ("present", "none left"))
        ok = result.ok and graded > 0
        mark = click.style("ok  ", fg="green") if ok else click.style("FAIL", fg="red")
        click.echo(f"{mark} {problem.slug} ({graded} files graded)")
        for item in result.failures:
            click.echo(f"     {item.file}: expected {item.expected}; {item.message}")
        if not graded:
            click.echo("     nothing was graded: a problem is checked by grading its files")
        for note in result.notes:
            click.echo(f"     {click.style('note', fg='yellow')}: {note}")
        broken += not ok
    if broken:
        raise Failure(f"{broken} of {len(problems) + len(errors)} problems failed their checks")
    click.echo(f"all {len(problems)} problems check out")


@cli.command("new")
@click.argument("slug")
@click.option("--kind", type=click.Choice(KINDS), default="code", show_default=True)
@click.option("--topic", type=click.Choice(TOPICS), default="concepts", show_default=True)
@click.option(
    "--into",
    type=click.Path(file_okay=False),
    help="The pack to add it to (default: the first --problems pack, else ./problems, else .).",
)
@click.pass_context
def new(ctx: click.Context, slug: str, kind: str, topic: str, into: str | None) -> None:
    """Scaffold a new problem folder; fill its TODOs, then run check-problems on it."""
    packs = _packs(ctx)
    root = Path(into or (packs[0] if packs else "problems" if Path("problems").is_dir() else "."))
    try:
        folder = new_problem(root, slug, kind=kind, topic=topic)
    except (ValueError, OSError) as exc:
        raise Failure(str(exc)) from exc
    click.echo(f"wrote {folder}/")
    for name in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()):
        click.echo(f"  {name}")
    click.echo(
        f"Fill every TODO, then: judge --problems {root} check-problems {slug}"
        if root.resolve() != REPO_PROBLEMS.resolve()
        else f"Fill every TODO (and add the .zh.md twins), then: judge check-problems {slug}"
    )


@cli.group()
def site() -> None:
    """The static study site (judge.site)."""


@site.command("build")
@click.option("--out", type=click.Path(file_okay=False), default="_site", show_default=True)
@click.pass_context
def site_build(ctx: click.Context, out: str) -> None:
    """Render every problem into a static site under OUT."""
    from judge.site.build import build_site, site_problems  # jinja2, pygments: only here

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
    from judge.site.build import serve  # the site builder's modules: only for `site`

    try:
        serve(Path(directory), port=port)
    except FileNotFoundError as exc:
        raise Failure(str(exc)) from exc


@cli.command("exercism-run")
@click.argument("slug", shell_complete=complete_slug)
@click.argument("input_dir", type=click.Path(file_okay=False))
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.option(
    "--tests", type=click.Choice(["hidden", "public"]), default="hidden", show_default=True
)
@click.option("--level", type=click.Choice(LEVELS), default="auto", show_default=True)
@click.pass_context
def exercism_run(
    ctx: click.Context, slug: str, input_dir: str, output_dir: str, tests: str, level: str
) -> None:
    """Exercism's test runner (interface v3): grade the solution in INPUT_DIR, write
    OUTPUT_DIR/results.json, exit 0 whatever the tests say."""
    problem = _problem(ctx, slug)
    result = platforms.exercism_run(
        problem, Path(input_dir), Path(output_dir), tests=tests, level=level
    )
    click.echo(f"{slug}: {result.verdict or 'judge error'} -> {Path(output_dir, 'results.json')}")


@cli.command("gradescope-bundle")
@click.argument("slug", shell_complete=complete_slug)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="The zip to write (default: SLUG-autograder.zip).",
)
@click.pass_context
def gradescope_bundle(ctx: click.Context, slug: str, out: str | None) -> None:
    """Write a Gradescope autograder zip for SLUG (setup.sh, run_autograder, the judge)."""
    problem = _problem(ctx, slug)
    path = platforms.gradescope_bundle(problem, Path(out or f"{problem.slug}-autograder.zip"))
    click.echo(f"wrote {path}: upload it as the assignment's autograder (zip file)")


register_batch_commands(cli)  # the one place commands are added from outside this module


def _accept_packs_everywhere(group: click.Group) -> None:
    """Give every command a ``--problems`` option, so that ``judge grade --problems DIR ...``
    works as ``judge --problems DIR grade ...`` does: both add to the same list."""

    def add(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
        root = ctx.find_root()
        if root.obj is None:
            root.obj = {"packs": []}
        root.obj.setdefault("packs", []).extend(value)

    for command in group.commands.values():
        if isinstance(command, click.Group):
            _accept_packs_everywhere(command)
        elif not any(p.name == "more_packs" for p in command.params):
            command.params.append(
                click.Option(
                    ["--problems", "more_packs"],
                    multiple=True,
                    type=click.Path(file_okay=False),
                    expose_value=False,
                    is_eager=True,
                    callback=add,
                    help="A private problem pack; repeatable (also before the command).",
                )
            )


_accept_packs_everywhere(cli)


def main() -> None:
    """Console-script entry point (``judge``, ``python -m judge``): an ``OSError`` that
    nothing else caught (a full disk, a folder that cannot be written) ends the command with
    one line and exit 2, not a traceback."""
    try:
        cli.main(prog_name="judge")
    except OSError as exc:
        click.echo(f"judge: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)

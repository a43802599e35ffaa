"""``judge check-problems`` and ``judge new``: an author's commands. ``check-problems``
exits 0 when every problem checks out, 2 when one does not."""

from __future__ import annotations

from pathlib import Path

import click

from judge.checking import check_problem
from judge.cli.common import Failure, complete_slug, packs
from judge.grading import LEVELS, SEED_RANGE
from judge.layout import KINDS
from judge.problems import REPO_PROBLEMS, TOPICS, ProblemError, all_problems, find_problem
from judge.scaffold import new_problem


@click.command("check-problems")
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
            [find_problem(s, packs(ctx)) for s in slugs]
            if slugs
            else all_problems(packs(ctx), errors=errors)
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


@click.command("new")
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
    given = packs(ctx)
    root = Path(into or (given[0] if given else "problems" if Path("problems").is_dir() else "."))
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

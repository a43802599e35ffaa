"""``judge list``, ``judge show`` and ``judge init``: finding a problem, reading it, and
copying its starter into a workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from judge.cli.common import Failure, complete_slug, find, packs
from judge.plainmath import plain_math
from judge.problems import TOPICS, ProblemError, all_problems
from judge.quiz import render_questions


@click.command("list")
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
        problems = all_problems(packs(ctx), errors=broken)
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


@click.command()
@click.argument("slug", shell_complete=complete_slug)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--raw", is_flag=True, help="The Markdown source, math as LaTeX.")
@click.pass_context
def show(ctx: click.Context, slug: str, lang: str, raw: bool) -> None:
    """Print a problem's statement (math as plain text unless --raw)."""
    problem = find(ctx, slug)
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


@click.command()
@click.argument("slug", shell_complete=complete_slug)
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.pass_context
def init(ctx: click.Context, slug: str, directory: str | None, force: bool) -> None:
    """Copy the starter (and the public tests) into a workspace, DIRECTORY (default ./SLUG)."""
    problem = find(ctx, slug)
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

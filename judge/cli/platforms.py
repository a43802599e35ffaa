"""``judge exercism-run`` and ``judge gradescope-bundle``: the judge inside other graders'
platforms (:mod:`judge.platforms`)."""

from __future__ import annotations

from pathlib import Path

import click

from judge import platforms
from judge.cli.common import complete_slug, find
from judge.grading import LEVELS


@click.command("exercism-run")
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
    problem = find(ctx, slug)
    result = platforms.exercism_run(
        problem, Path(input_dir), Path(output_dir), tests=tests, level=level
    )
    click.echo(f"{slug}: {result.verdict or 'judge error'} -> {Path(output_dir, 'results.json')}")


@click.command("gradescope-bundle")
@click.argument("slug", shell_complete=complete_slug)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="The zip to write (default: SLUG-autograder.zip).",
)
@click.pass_context
def gradescope_bundle(ctx: click.Context, slug: str, out: str | None) -> None:
    """Write a Gradescope autograder zip for SLUG (setup.sh, run_autograder, the judge)."""
    problem = find(ctx, slug)
    path = platforms.gradescope_bundle(problem, Path(out or f"{problem.slug}-autograder.zip"))
    click.echo(f"wrote {path}: upload it as the assignment's autograder (zip file)")

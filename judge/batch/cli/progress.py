"""``judge progress``: solved / attempted / best score per problem, from the history ``judge
grade`` keeps (:mod:`judge.progress`)."""

from __future__ import annotations

import json

import click

from judge import progress
from judge.batch.cli.common import UsageFailure
from judge.problems import ProblemError, all_problems

__all__ = ["progress_command"]


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

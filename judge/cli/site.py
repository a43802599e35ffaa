"""``judge site build`` and ``judge site serve``: the static study site (:mod:`judge.site`).
Its builder pulls in jinja2 and pygments, which is why this module is loaded only for
``judge site``."""

from __future__ import annotations

from pathlib import Path

import click

from judge.cli.common import Failure, packs
from judge.problems import ProblemError
from judge.site.build import build_site, serve, site_problems


@click.group()
def site() -> None:
    """The static study site (judge.site)."""


@site.command("build")
@click.option("--out", type=click.Path(file_okay=False), default="_site", show_default=True)
@click.pass_context
def site_build(ctx: click.Context, out: str) -> None:
    """Render every problem into a static site under OUT."""
    problems, broken = site_problems(packs(ctx))
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
    try:
        serve(Path(directory), port=port)
    except FileNotFoundError as exc:
        raise Failure(str(exc)) from exc

"""What the ``judge`` commands share: the exit statuses, the one error type, the problem
packs the root group collected, and shell completion of problem slugs."""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem

from judge.problems import Problem, ProblemError, all_problems, find_problem

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """A usage error, broken problem or judge error: message on stderr, exit 2."""

    exit_code = EXIT_ERROR


def packs(ctx: click.Context) -> list[str]:
    """The private problem packs given with ``--problems`` (before or after the command)."""
    return (ctx.find_root().obj or {}).get("packs", [])


def find(ctx: click.Context, slug: str) -> Problem:
    """The problem ``slug`` among the bundled ones and the packs, or exit 2 saying why."""
    try:
        return find_problem(slug, packs(ctx))
    except ProblemError as exc:
        raise Failure(str(exc)) from exc


def complete_slug(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Problem slugs for shell completion (``_JUDGE_COMPLETE=bash_source judge``)."""
    given = (ctx.find_root().params or {}).get("packs") or ()
    try:
        problems = all_problems(given, errors=[])
    except ProblemError:
        return []
    return [CompletionItem(p.slug, help=p.title) for p in problems if p.slug.startswith(incomplete)]

"""What the batch commands share: the usage error (exit 2)."""

from __future__ import annotations

import click

__all__ = ["EXIT_USAGE", "UsageFailure"]

EXIT_USAGE = 2


class UsageFailure(click.ClickException):
    """A usage error (a bad option, an unreadable report): message on stderr, exit 2,
    nothing graded or written."""

    exit_code = EXIT_USAGE

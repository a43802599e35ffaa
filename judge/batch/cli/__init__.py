"""The batch wing's commands, thin click skins over :mod:`judge.batch`, added to the main
``judge`` group by :func:`register` (called once, in :mod:`judge.cli`):

- :mod:`judge.batch.cli.grade`: ``judge grade-batch``, a folder of candidates graded into
  reports;
- :mod:`judge.batch.cli.merge`: ``judge report merge``, shards' JSON reports joined into one;
- :mod:`judge.batch.cli.progress`: ``judge progress``, a candidate's own history of grades.
"""

from __future__ import annotations

import click

from judge.batch.cli.grade import grade_batch
from judge.batch.cli.merge import report_group
from judge.batch.cli.progress import progress_command

__all__ = ["register"]


def register(group: click.Group) -> None:
    """Add the batch wing's commands to the ``judge`` group."""
    group.add_command(grade_batch)
    group.add_command(report_group)
    group.add_command(progress_command)

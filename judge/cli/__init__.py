"""The ``judge`` command: a thin click skin over judge.problems, judge.grading, judge.report
and the batch, site and platform wings.

:data:`COMMANDS` is the one place commands are registered: each is named with the module
that defines it and imported only when it runs (or when ``--help`` or shell completion asks
for its short help), so ``judge grade`` does not pay for the site builder, the batch
reports or the platform bundles. ``judge COMMAND --problems DIR`` is accepted as
``judge --problems DIR COMMAND``: both add to the same list of private packs.

Exit status: 0 accepted (or all problems check out), 1 graded but not accepted, 2 usage
error, broken problem or judge error (``grade-batch`` adds 130, interrupted).
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from judge.resources import DISTRIBUTION

EXIT_ERROR = 2

# name -> "module:object"; the commands' modules import the engine, so they load on demand.
COMMANDS: dict[str, str] = {
    "check-problems": "judge.cli.authoring:check_problems",
    "exercism-run": "judge.cli.platforms:exercism_run",
    "grade": "judge.cli.grade:grade_command",
    "grade-batch": "judge.batch.cli.grade:grade_batch",
    "gradescope-bundle": "judge.cli.platforms:gradescope_bundle",
    "init": "judge.cli.browse:init",
    "list": "judge.cli.browse:list_problems",
    "new": "judge.cli.authoring:new",
    "progress": "judge.batch.cli.progress:progress_command",
    "report": "judge.batch.cli.merge:report_group",
    "show": "judge.cli.browse:show",
    "site": "judge.cli.site:site",
    "test": "judge.cli.grade:test",
}


def _add_packs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {"packs": []}
    root.obj.setdefault("packs", []).extend(value)


def accept_packs(command: click.Command) -> None:
    """Give ``command`` (and, for a group, each of its commands) a ``--problems`` option, so
    that ``judge grade --problems DIR ...`` works as ``judge --problems DIR grade ...``."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_packs(sub)
    elif not any(p.name == "more_packs" for p in command.params):
        command.params.append(
            click.Option(
                ["--problems", "more_packs"],
                multiple=True,
                type=click.Path(file_okay=False),
                expose_value=False,
                is_eager=True,
                callback=_add_packs,
                help="A private problem pack; repeatable (also before the command).",
            )
        )


class LazyGroup(click.Group):
    """A click group whose commands are imported by name on first use (click's "lazily
    loading subcommands" pattern); ``--help`` and completion list them all, with help."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, _, name = self.lazy_commands[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            accept_packs(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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


def main() -> NoReturn:
    """Console-script entry point (``judge``, ``python -m judge``): an ``OSError`` that
    nothing else caught (a full disk, a folder that cannot be written) ends the command with
    one line and exit 2, not a traceback.

    The judge's own side of a grade (the reference, the comparisons, the probes) is many
    small tensor operations, which one thread runs at least as fast as a pool, and on a
    busy machine several times faster (the pool's threads wait for cores); the sandboxed
    child runs with one thread too. A user's own ``OMP_NUM_THREADS`` is kept.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # read when torch loads, later
    try:
        cli.main(prog_name="judge")
    except SystemExit as exc:  # how click ends every command
        status = exc.code
    except OSError as exc:
        click.echo(f"judge: error: {exc}", err=True)
        status = EXIT_ERROR
    else:
        status = 0
    end(status)


def end(status: int | str | None) -> NoReturn:
    """``sys.exit(status)``, without the interpreter's teardown once torch is loaded.

    Tearing down the modules of a process that imported torch takes longer than anything
    the judge does after grading (a bare ``python -c "import torch"`` spends about a third
    of its CPU time there), and nothing needs it: the exit functions still run (they close
    the sandbox's template and reap its processes), the standard streams are flushed, and
    every file the judge writes is closed where it is written. Only when no thread but
    daemons is left (``grade-batch``'s pool has shut down by then); otherwise, and before
    torch is loaded, the ordinary exit.
    """
    alone = all(t.daemon or t is threading.main_thread() for t in threading.enumerate())
    if "torch" not in sys.modules or not alone:
        sys.exit(status)
    if isinstance(status, str):  # sys.exit("message"): the message on stderr, status 1
        click.echo(status, err=True)
        status = 1
    code = 0 if status is None else status
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # as the interpreter does: a lost write is status 120
            code = code or 120
    os._exit(code)

"""The ``judge`` group loads its commands lazily (judge.cli.COMMANDS): ``--help`` and shell
completion still list every command with its short help, and grading a file does not import
the other wings (nor compute with more than one torch thread unless told to)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from judge.cli import COMMANDS, cli

FIXTURES = Path(__file__).parent / "fixtures"

# What `judge grade` must not pay for: the platform bundles, the batch wing, the site
# builder, the scaffold and the problem checker.
NOT_ON_THE_GRADE_PATH = (
    "judge.platforms",
    "judge.batch",
    "judge.batch.report",
    "judge.batch.cli",
    "judge.site",
    "judge.site.build",
    "judge.scaffold",
    "judge.checking",
    "jinja2",
)

# Runs the real entry point, which ends with the exit functions: the last one writes the
# names of the modules it imported.
MODULES_AFTER = """
import atexit, json, sys
out = sys.argv.pop(1)
@atexit.register
def dump():
    import torch
    with open(out, "w") as f:
        json.dump({"modules": sorted(sys.modules), "threads": torch.get_num_threads()}, f)
from judge.cli import main
main()
"""


def test_help_lists_every_command_with_its_short_help() -> None:
    run = CliRunner().invoke(cli, ["--help"], prog_name="judge")
    assert run.exit_code == 0
    listed = run.stdout.split("Commands:\n", 1)[1]
    rows = {line.split()[0]: line for line in listed.splitlines() if line.strip()}
    assert set(rows) == set(COMMANDS)
    assert {"grade", "grade-batch", "report", "progress", "site", "new"} <= set(rows)
    ctx = click.Context(cli)
    for name, row in rows.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        short = command.get_short_help_str(limit=30).rstrip(".")
        assert short[:20] in row, (name, row)


def test_every_registered_command_loads_and_takes_problems() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name
        leaves = command.commands.values() if isinstance(command, click.Group) else [command]
        for leaf in leaves:
            assert any(p.name == "more_packs" for p in leaf.params), (name, leaf.name)
    assert cli.get_command(ctx, "no-such-command") is None


def test_python_m_judge_cli_lists_the_batch_commands_too() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "judge.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0
    assert all(f"  {name} " in run.stdout for name in COMMANDS), run.stdout


def grade_double(tmp_path: Path, **env: str) -> dict:
    """`judge grade` of the fixture's solution in a new process: what it had at the end."""
    after = tmp_path / "after.json"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            MODULES_AFTER,
            str(after),
            "--problems",
            str(FIXTURES),
            "grade",
            "double",
            str(FIXTURES / "double" / "solution.py"),
            "--level",
            "in-process",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"} | env,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["verdict"] == "accepted"
    return json.loads(after.read_text())


def test_grading_a_file_imports_no_other_wing(tmp_path: Path) -> None:
    imported = set(grade_double(tmp_path)["modules"])
    assert "judge.cli.grade" in imported and "judge.grading" in imported
    assert not imported & set(NOT_ON_THE_GRADE_PATH), sorted(imported & set(NOT_ON_THE_GRADE_PATH))


def test_the_judge_computes_with_one_thread_unless_told_otherwise(tmp_path: Path) -> None:
    assert grade_double(tmp_path)["threads"] == 1
    assert grade_double(tmp_path, OMP_NUM_THREADS="2")["threads"] == 2


def test_shell_completion_offers_every_command_with_its_short_help() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "judge"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "_JUDGE_COMPLETE": "zsh_complete",
            "COMP_WORDS": "judge ",
            "COMP_CWORD": "1",
        },
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()  # zsh: type, value, help; three lines per item
    offered = dict(zip(lines[1::3], lines[2::3], strict=True))
    assert set(offered) == set(COMMANDS)
    assert offered["grade"] == "Grade FILE on the hidden tests."
    assert offered["report"] == "Work with batch reports."
    assert all(help_ and help_ != "_" for help_ in offered.values()), offered

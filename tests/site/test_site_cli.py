"""`judge site build` through click."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from site_helpers import FIXTURE_PROBLEMS

from judge.cli import cli


@pytest.fixture
def site_group():
    group = cli.get_command(click.Context(cli), "site")  # the group loads its commands lazily
    assert isinstance(group, click.Group)
    return group


def test_judge_site_build_writes_the_site_and_prints_bytes_per_page(
    site_group, tmp_path: Path
) -> None:
    out = tmp_path / "_site"
    result = CliRunner().invoke(
        cli, ["--problems", str(FIXTURE_PROBLEMS), "site", "build", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert (out / "p" / "quiz-basics.html").is_file()
    assert "index.html" in result.output and "bytes" in result.output


def test_judge_site_build_refuses_a_formula_that_shows_its_source(
    site_group, tmp_path: Path
) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(FIXTURE_PROBLEMS / "magnitude-pruning", pack / "magnitude-pruning")
    prompt = pack / "magnitude-pruning" / "prompt.md"
    prompt.write_text(prompt.read_text(encoding="utf-8") + "\n$\\notacommand$\n")
    result = CliRunner().invoke(
        cli, ["--problems", str(pack), "site", "build", "--out", str(tmp_path / "_site")]
    )
    assert result.exit_code == 2
    assert "notacommand" in result.output and "Traceback" not in result.output

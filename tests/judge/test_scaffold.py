"""``judge new``: the scaffold is refused while TODOs are left and accepted once filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from judge import layout
from judge.checking import check_problem
from judge.cli import cli
from judge.problems import load_problem
from judge.scaffold import TODO, new_problem, todos


def fill(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_text(path.read_text(encoding="utf-8").replace(TODO, "filled"))


@pytest.mark.parametrize("kind", layout.KINDS)
def test_scaffold_has_every_file_of_its_kind_but_the_translations(tmp_path: Path, kind) -> None:
    folder = new_problem(tmp_path, "my-problem", kind=kind)
    want = set(layout.complete_set(kind)) - set(layout.translations(kind))
    assert want <= {p.name for p in folder.iterdir()}
    assert todos(folder), "the scaffold must carry TODO markers"


def test_code_scaffold_is_refused_with_todos_and_accepted_once_filled(tmp_path: Path) -> None:
    folder = new_problem(tmp_path, "my-double", kind="code")
    before = check_problem(load_problem(folder), level="in-process")
    assert not before.ok
    assert [i.file for i in before.failures] == ["TODO markers"]
    fill(folder)
    with pytest.warns(UserWarning, match="optional in a private pack"):
        after = check_problem(load_problem(folder), level="in-process")
    assert after.ok, after.failures
    assert any(i.file == "mistakes/in_place.py" and i.ok for i in after.items)


def test_quiz_scaffold_loads_and_is_refused_until_filled(tmp_path: Path) -> None:
    folder = new_problem(tmp_path, "quiz-mine", kind="quiz")
    result = check_problem(load_problem(folder), level="in-process")
    assert "TODO markers" in {i.file for i in result.failures}


@pytest.mark.parametrize(
    ("slug", "kind", "topic", "message"),
    [
        ("Bad Slug", "code", "concepts", "slug"),
        ("ok-slug", "essay", "concepts", "kind"),
        ("ok-slug", "code", "astrology", "topic"),
    ],
)
def test_bad_arguments_are_value_errors(tmp_path, slug, kind, topic, message) -> None:
    with pytest.raises(ValueError, match=message):
        new_problem(tmp_path, slug, kind=kind, topic=topic)


def test_cli_new_writes_into_the_pack_and_refuses_an_existing_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--problems", str(tmp_path), "new", "my-double"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my-double" / "hidden_tests.py").is_file()
    again = runner.invoke(cli, ["--problems", str(tmp_path), "new", "my-double"])
    assert again.exit_code == 2 and "already exists" in again.output

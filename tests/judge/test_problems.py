"""Problem discovery and problem.toml validation (judge.problems)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from judge.problems import (
    ProblemError,
    UnknownProblem,
    all_problems,
    discover,
    find_problem,
    load_problem,
)

FIXTURES = Path(__file__).parent / "fixtures"
DOUBLE = FIXTURES / "double"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A private pack holding a copy of the 'double' fixture problem."""
    shutil.copytree(DOUBLE, tmp_path / "double")
    return tmp_path


def rewrite(folder: Path, old: str, new: str) -> None:
    toml = folder / "problem.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new), encoding="utf-8")


def test_load_fixture_problem() -> None:
    problem = load_problem(DOUBLE)
    assert problem.slug == "double"
    assert problem.kind == "code"
    assert problem.entry_points == ("double",)
    assert problem.limits.time_s == 5.0 and problem.limits.memory_mb == 2048
    assert problem.points == 10.0
    assert problem.papers[0].url == "https://example.org"
    assert "$2x$" in problem.prompt("en")
    assert "加倍" in problem.prompt("zh")
    assert [p.name for p in problem.mistakes] == ["in_place.py", "no_check.py", "triple.py"]
    assert [p.name for p in problem.alternatives] == ["add.py"]
    assert problem.starter.name == "starter.py"
    assert problem.tests_file("public").name == "public_tests.py"


def test_private_pack_and_env(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "double" in discover([pack])
    assert find_problem("double", [pack]).path == (pack / "double").resolve()
    monkeypatch.setenv("JUDGE_PROBLEMS", str(pack))
    assert find_problem("double").path == (pack / "double").resolve()


def test_unknown_slug_suggests_closest(pack: Path) -> None:
    with pytest.raises(UnknownProblem) as info:
        find_problem("doubel", [pack])
    assert "double" in info.value.suggestions
    assert "did you mean double" in str(info.value)


def test_missing_pack_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match="not found"):
        discover([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ('difficulty = "easy"', 'difficulty = "trivial"', "difficulty", "one of"),
        ("points = 10", 'points = "ten"', "points", "positive number"),
        ("points = 10", "points = -1", "points", "positive number"),
        ('entry_points = ["double"]', "entry_points = []", "entry_points", "list"),
        ('entry_points = ["double"]', 'entry_points = ["not valid"]', "entry_points", "function"),
        ('slug = "double"', 'slug = "triple"', "slug", "folder name"),
        ("order = 1", "order = true", "order", "integer"),
        ('title = "Double a tensor"', 'titel = "x"', "titel", "did you mean 'title'"),
        ('topic = "meta-learning"', "", "topic", "missing"),
    ],
)
def test_invalid_toml_names_file_field_and_expectation(
    pack: Path, old: str, new: str, field: str, expected: str
) -> None:
    rewrite(pack / "double", old, new)
    with pytest.raises(ProblemError) as info:
        load_problem(pack / "double")
    message = str(info.value)
    assert "problem.toml" in message
    assert repr(field) in message
    assert expected in message


def test_toml_syntax_error(pack: Path) -> None:
    (pack / "double" / "problem.toml").write_text("slug = ", encoding="utf-8")
    with pytest.raises(ProblemError, match="not valid TOML"):
        load_problem(pack / "double")


def test_missing_file(pack: Path) -> None:
    (pack / "double" / "hidden_tests.py").unlink()
    with pytest.raises(ProblemError, match=r"hidden_tests\.py: missing"):
        load_problem(pack / "double")


def test_broken_problem_collected_not_raised(pack: Path) -> None:
    shutil.copytree(pack / "double", pack / "broken")
    errors: list[ProblemError] = []
    slugs = [p.slug for p in all_problems([pack], errors=errors)]
    assert "double" in slugs and "broken" not in slugs
    ours = [e for e in errors if str(pack) in str(e)]  # the repo's folders may be mid-edit
    assert len(ours) == 1 and "'slug'" in str(ours[0])
    with pytest.raises(ProblemError):
        all_problems([pack])


def test_hash_changes_with_content(pack: Path) -> None:
    problem = load_problem(pack / "double")
    before = problem.hash()
    assert before == load_problem(pack / "double").hash()
    (pack / "double" / "hidden_tests.py").write_text("# changed\n", encoding="utf-8")
    assert problem.hash() != before

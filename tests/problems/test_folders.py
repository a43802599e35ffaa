"""What every bundled code problem's folder holds beyond what `judge check-problems` asks:
enough hidden tests, alternatives and mistakes to grade as promised, its papers, and its
Chinese texts in Chinese.

The catalogue is the folders themselves (``judge.problems.all_problems()``): a new problem is
checked here without an edit. The problem-specific checks (no drift from reference/) are in
test_meta_problems.py (topic ``meta-learning``) and test_model_problems.py (every other topic).
"""

from __future__ import annotations

import ast

import pytest

from judge import layout
from judge.problems import Problem, all_problems, hint_from_source

CODE = {p.slug: p for p in all_problems() if not p.is_quiz}
MIN_HIDDEN_TESTS = 8
MIN_MISTAKES = 3


def test_the_catalogue_is_not_empty() -> None:
    assert len(CODE) >= 20, sorted(CODE)


def hidden_test_names(problem: Problem) -> list[str]:
    tree = ast.parse(problem.hidden_tests.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name[:5] == "test_"]


@pytest.mark.parametrize("slug", sorted(CODE))
def test_folder_has_enough_tests_alternatives_and_mistakes(slug: str) -> None:
    problem = CODE[slug]
    tests = hidden_test_names(problem)
    assert len(tests) >= MIN_HIDDEN_TESTS, f"{slug}: {len(tests)} hidden tests"
    assert problem.alternatives, f"{slug}: no alternative solution"
    assert len(problem.mistakes) >= MIN_MISTAKES, f"{slug}: {len(problem.mistakes)} mistakes"
    for path in problem.mistakes:
        assert hint_from_source(path.read_text(encoding="utf-8")), f"{path.name} has no hint"


@pytest.mark.parametrize("slug", sorted(CODE))
def test_metadata_limits_and_papers(slug: str) -> None:
    problem = CODE[slug]
    assert problem.limits.memory_mb >= 1024, f"{slug}: memory_limit_mb {problem.limits.memory_mb}"
    assert problem.papers, f"{slug}: no paper"
    assert all(p.url.startswith("https://arxiv.org/abs/") for p in problem.papers)


@pytest.mark.parametrize("slug", sorted(CODE))
def test_chinese_texts_are_chinese(slug: str) -> None:
    for name in layout.translations("code"):
        text = (CODE[slug].path / name).read_text(encoding="utf-8")
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 100, f"{slug}/{name}: not Chinese"

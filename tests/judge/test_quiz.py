"""Quiz grading: per question, partial credit for multi, scaled to the problem's points."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.checking import check_problem
from judge.grading import grade
from judge.problems import load_problem
from judge.quiz import key_answers, render_questions

QUIZ = load_problem(Path(__file__).parent / "fixtures" / "quiz-tiny")  # 10 raw points -> 20


def answers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def scores(result) -> dict[str, float]:
    return {t.name: t.score for t in result.tests}


def test_full_marks_accepted(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, 'q1 = "B"\nq2 = ["C", "A"]\nq3 = false\nq4 = 0.255\n'))
    assert result.verdict == "accepted" and result.score == result.max_score == 20
    assert result.sandbox["level"] == "none"
    assert all(t.hint is None for t in result.tests)  # the key's explanations stay hidden


@pytest.mark.parametrize(
    ("q2", "points"),
    [
        ('["A"]', 4.0),
        ('["A", "B"]', 0.0),
        ('["A", "C", "D"]', 4.0),
        ('["B", "D"]', 0.0),
        ("[]", 0.0),
    ],
)
def test_multi_partial_credit(tmp_path: Path, q2: str, points: float) -> None:
    result = grade(QUIZ, answers(tmp_path, f'q1 = "B"\nq2 = {q2}\nq3 = false\nq4 = 0.25\n'))
    assert scores(result)["q2"] == points  # 4 raw points scaled x2: right minus wrong over 2
    assert result.verdict == "wrong_answer"


def test_all_or_nothing_and_malformed(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, 'q1 = "Z"\nq3 = "false"\nq4 = 0.3\n'))
    got = {t.name: (t.score, t.message) for t in result.tests}
    assert got["q1"][0] == 0 and "letter A-C" in got["q1"][1]
    assert got["q2"] == (0.0, "no answer")
    assert got["q3"][0] == 0 and "true or false" in got["q3"][1]
    assert got["q4"] == (0.0, "not the right answer")
    assert result.verdict == "wrong_answer" and result.score == 0


def test_toml_syntax_error_is_compile_error(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, "q1 = \n"))
    assert result.verdict == "compile_error" and "line 1" in result.tests[0].message


def test_public_mode_checks_form_only(tmp_path: Path) -> None:
    result = grade(QUIZ, QUIZ.starter, tests="public")
    assert result.max_score == 0 and result.verdict == "wrong_answer"
    ok = grade(QUIZ, answers(tmp_path, 'q1 = "A"\nq2 = ["B"]\nq3 = true\nq4 = 9\n'), tests="public")
    assert ok.verdict == "accepted" and ok.score == 0  # well-formed, even though wrong


def test_check_quiz_and_key() -> None:
    assert key_answers(QUIZ) == {"q1": "B", "q2": ["A", "C"], "q3": False, "q4": 0.25}
    result = check_problem(QUIZ)
    assert result.ok, result.failures
    assert {i.file for i in result.items} >= {"starter_answers.toml", "mistakes/half_right.toml"}


def test_render_questions_never_shows_the_key() -> None:
    text = render_questions(QUIZ, "en")
    assert "A. not this" in text and "B. this" in text
    assert "explanation" not in text and "B is the one" not in text
    assert "选 B" in render_questions(QUIZ, "zh")

"""Quiz grading: per question, partial credit for multi, scaled to the problem's points."""

from __future__ import annotations

import shutil
import tomllib
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
    result = grade(QUIZ, answers(tmp_path, 'q1 = "Z"\nq3 = "maybe"\nq4 = 0.3\n'))
    got = {t.name: (t.score, t.message) for t in result.tests}
    assert got["q1"][0] == 0 and "letter A-C" in got["q1"][1]
    assert got["q2"] == (0.0, "no answer")
    assert got["q3"][0] == 0 and "true or false" in got["q3"][1]
    assert got["q4"] == (0.0, "not the right answer")
    assert result.verdict == "wrong_answer" and result.score == 0


def test_obvious_forms_are_read_with_a_warning(tmp_path: Path) -> None:
    text = 'q1 = " b "\nq2 = "a, C"\nq3 = "False"\nq4 = "0.25"\n'
    result = grade(QUIZ, answers(tmp_path, text))
    assert result.verdict == "accepted" and result.score == 20
    messages = {t.name: t.message for t in result.tests}
    assert 'read " b " as "B"' in messages["q1"]
    assert 'read "a, C" as ["A", "C"]' in messages["q2"]
    assert 'read "False" as false' in messages["q3"]
    assert 'read "0.25" as 0.25' in messages["q4"]
    public = grade(QUIZ, answers(tmp_path, 'q4 = "3205"\n'), tests="public")
    shown = {t.name: t.message for t in public.tests}
    assert "well-formed" in shown["q4"] and 'read "3205" as 3205' in shown["q4"]
    assert shown["q1"] == "no answer"  # the missing ones are listed


def test_unknown_keys_warn(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, 'q1 = "B"\nq5 = 1\nQ2 = ["A"]\n'))
    note = next(t for t in result.tests if t.name == "answers file")
    assert "['Q2', 'q5']" in note.message and note.max_score == 0
    assert result.max_score == 20


def test_after_grading_why_the_pick_is_wrong_the_answer_and_the_explanation(
    tmp_path: Path,
) -> None:
    result = grade(QUIZ, answers(tmp_path, 'q1 = "C"\nq2 = ["A", "B"]\nq3 = false\n'))
    hints = {t.name: t.hint for t in result.tests}
    assert hints["q1"] == "C (your pick): C says 'not this either'.\nanswer: B\nB is the one."
    assert hints["q2"] == "answer: A, C\nA and C."  # partly right: no why_wrong for B
    assert hints["q3"] is None  # full marks: nothing revealed
    assert hints["q4"] == "answer: 0.25 (± 0.01)\nA quarter."  # no answer: the key all the same
    rubric = (QUIZ.path / "rubric.md").read_text(encoding="utf-8").split(".")[0]
    assert not any(rubric in (t.hint or "") + t.message for t in result.tests)


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 50_000 + "]" * 50_000 + "\n",  # tomllib: RecursionError
        "a = " + "{b = " * 30_000 + "1" + "}" * 30_000 + "\n",
        "q1 = 1\n" + "# padding\n" * 200_000,  # over the size cap
    ],
    ids=["nested-arrays", "nested-tables", "oversize"],
)
def test_hostile_answers_files_are_compile_errors_out_of_the_points(
    tmp_path: Path, text: str
) -> None:
    result = grade(QUIZ, answers(tmp_path, text))
    assert result.grading_status == "graded"
    assert result.verdict == "compile_error" and result.score == 0
    assert result.max_score == 20  # scored out of the problem's points, like any result


def test_toml_syntax_error_is_compile_error(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, "q1 = \n"))
    assert result.verdict == "compile_error" and "line 1" in result.tests[0].message


def test_public_mode_checks_form_only(tmp_path: Path) -> None:
    result = grade(QUIZ, QUIZ.starter, tests="public")
    assert result.max_score == 0 and result.verdict == "wrong_answer"
    assert all(t.message == "no answer" for t in result.tests)  # the template answers nothing
    assert result.summary == "format OK: 0 of 4 answered; missing: q1, q2, q3, q4"
    ok = grade(QUIZ, answers(tmp_path, 'q1 = "A"\nq2 = ["B"]\nq3 = true\nq4 = 9\n'), tests="public")
    assert ok.verdict == "accepted" and ok.score == ok.max_score == 0  # well-formed, though wrong
    assert ok.summary == "format OK: 4 of 4 answered"
    assert all(t.hint is None for t in ok.tests)  # `judge test` reveals no key
    bad = grade(QUIZ, answers(tmp_path, 'q1 = 3\nq2 = ["B"]\nq3 = "yes"\nq9 = 1\n'), tests="public")
    wrong = {t.name: t.message for t in bad.tests if t.verdict != "accepted"}
    assert set(wrong) == {"q1", "q3", "q4"} and "true or false" in wrong["q3"]
    assert (
        bad.summary
        == "format errors in q1, q3; 1 of 4 well-formed; missing: q4; 1 unknown key ignored"
    )
    assert bad.verdict == "wrong_answer"


def test_public_mode_on_an_unreadable_file_scores_nothing(tmp_path: Path) -> None:
    result = grade(QUIZ, answers(tmp_path, "q1 = \n"), tests="public")
    assert result.verdict == "compile_error" and result.max_score == 0
    assert result.summary is not None and result.summary.startswith("cannot be read: ")


def test_every_quiz_hands_out_the_typed_template() -> None:
    """starter_answers.toml is the generated template; uncommenting each line gives a
    well-formed answer of the question's type (never a string for a bool or a number)."""
    from judge.problems import all_problems
    from judge.quiz import answers_template, form_error, load_questions

    quizzes = [p for p in all_problems() if p.is_quiz] + [QUIZ]
    assert len(quizzes) >= 10
    for quiz in quizzes:
        template = answers_template(quiz)
        assert quiz.starter.read_text(encoding="utf-8") == template, quiz.slug
        uncommented = tomllib.loads(
            "\n".join(line[2:] for line in template.splitlines() if line.startswith("# q"))
        )
        for q in load_questions(quiz):
            assert form_error(q, uncommented[q.id]) is None, (quiz.slug, q.id)


def test_check_quiz_and_key() -> None:
    assert key_answers(QUIZ) == {"q1": "B", "q2": ["A", "C"], "q3": False, "q4": 0.25}
    result = check_problem(QUIZ)
    assert result.ok, result.failures
    assert {i.file for i in result.items} >= {"starter_answers.toml", "mistakes/half_right.toml"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('C = "C says', 'B = "C says', "why_wrong for ['B'], not a wrong option"),
        ('A = "A says', 'E = "A says', "why_wrong for ['E'], not a wrong option"),
        ('C = "C 说', 'D = "C 说', "why_wrong_zh has ['A', 'D'], why_wrong ['A', 'C']"),
        ("why_wrong_zh = ", "# why_wrong_zh = ", "why_wrong_zh has None"),
    ],
    ids=["the-key", "no-such-option", "other-letters", "no-translation"],
)
def test_check_quiz_refuses_a_stray_or_untranslated_why_wrong(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = tmp_path / "quiz-tiny"
    shutil.copytree(QUIZ.path, folder)
    key = folder / "answers.toml"
    text = key.read_text(encoding="utf-8")
    assert old in text
    key.write_text(text.replace(old, new, 1), encoding="utf-8")
    failures = check_problem(load_problem(folder)).failures
    assert failures and {f.file for f in failures} == {"answers.toml"}
    assert any(message in f.message for f in failures), failures


def test_render_questions_never_shows_the_key() -> None:
    text = render_questions(QUIZ, "en")
    assert "A. not this" in text and "B. this" in text
    assert "explanation" not in text and "B is the one" not in text
    assert "选 B" in render_questions(QUIZ, "zh")

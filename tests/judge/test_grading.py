"""grade() and check_problem() on the fixture problem 'double' (in-process: the sandbox has
its own tests; one test here proves the sandbox path end to end)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from judge.checking import check_problem
from judge.grading import BadSubmission, grade, load_tests
from judge.problems import ProblemError, load_problem

DOUBLE_DIR = Path(__file__).parent / "fixtures" / "double"
DOUBLE = load_problem(DOUBLE_DIR)


def in_process(path: Path, problem=DOUBLE, **kw):
    return grade(problem, path, level="in-process", **kw)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    shutil.copytree(DOUBLE_DIR, tmp_path / "double")
    return tmp_path / "double"


def test_solution_accepted_with_full_score() -> None:
    result = in_process(DOUBLE_DIR / "solution.py")
    assert result.verdict == "accepted" and result.accepted
    assert (result.score, result.max_score) == (10.0, 10.0)
    assert [t.name for t in result.tests] == [
        "test_values",
        "test_input_unchanged",
        "test_empty_raises",
    ]
    assert result.sandbox == {"level": "in-process", "network": "allowed"}


def test_points_explicit_and_shared() -> None:
    assert [t.points for t in load_tests(DOUBLE, "hidden")] == [4.0, 3.0, 3.0]
    assert [t.points for t in load_tests(DOUBLE, "public")] == [5.0, 5.0]


@pytest.mark.parametrize(
    ("mistake", "failing", "score"),
    [
        ("triple", "test_values", 6.0),
        ("in_place", "test_input_unchanged", 7.0),
        ("no_check", "test_empty_raises", 7.0),
    ],
)
def test_mistake_rejected_with_its_hint(mistake: str, failing: str, score: float) -> None:
    path = DOUBLE_DIR / "mistakes" / f"{mistake}.py"
    result = in_process(path)
    assert result.verdict == "wrong_answer"
    assert result.score == score
    failed = [t for t in result.tests if t.verdict != "accepted"]
    assert [t.name for t in failed] == [failing]
    assert (
        failed[0].hint
        and failed[0].hint == result.tests[[t.name for t in result.tests].index(failing)].hint
    )
    assert failed[0].message


def test_first_failing_verdict_is_the_problem_verdict() -> None:
    result = in_process(DOUBLE_DIR / "starter.py")
    assert [t.verdict for t in result.tests] == ["runtime_error", "runtime_error", "wrong_answer"]
    assert result.verdict == "runtime_error" and result.score == 0


def test_syntax_error_fails_every_test_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def double(x):\n    return (x\n", encoding="utf-8")
    result = in_process(bad)
    assert {t.verdict for t in result.tests} == {"compile_error"}
    assert "bad.py:2:" in result.tests[0].message


def test_missing_entry_point_is_compile_error(tmp_path: Path) -> None:
    other = tmp_path / "other.py"
    other.write_text("def triple(x):\n    return 3 * x\n", encoding="utf-8")
    result = in_process(other)
    assert result.verdict == "compile_error" and "double" in result.tests[0].message


@pytest.mark.parametrize("content", [b"", b"   \n", b"\xff\xfe not utf-8"])
def test_an_empty_or_undecodable_file_is_a_compile_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sub.py"
    path.write_bytes(content)
    result = in_process(path)
    assert result.grading_status == "graded" and result.verdict == "compile_error"
    assert result.score == 0 and str(path) in result.tests[0].message


def test_a_missing_file_or_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(BadSubmission, match="directory"):
        in_process(tmp_path)
    with pytest.raises(BadSubmission, match="no such file"):
        in_process(tmp_path / "missing.py")


def test_broken_reference_is_a_judge_error_not_the_candidates(pack: Path) -> None:
    (pack / "solution.py").write_text("def double(x):\n    raise RuntimeError('oops')\n")
    result = in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack))
    assert result.grading_status == "judge_error"
    assert result.verdict is None and "reference solution failed" in result.error
    assert "error" in result.to_dict()


def test_unknown_fixture_is_a_problem_error(pack: Path) -> None:
    (pack / "hidden_tests.py").write_text("def test_x(candidate, oracle):\n    pass\n")
    with pytest.raises(ProblemError, match="'oracle'"):
        in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack))


def test_unexpected_exception_in_test_is_wrong_answer(pack: Path) -> None:
    (pack / "hidden_tests.py").write_text(
        "def test_keys(candidate):\n    candidate.double(__import__('torch').ones(1)).keys()\n"
    )
    result = in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack))
    assert result.verdict == "wrong_answer"
    assert "could not be checked" in result.tests[0].message


def test_json_schema_keys() -> None:
    data = in_process(DOUBLE_DIR / "solution.py").to_dict()
    assert list(data) == [
        "problem",
        "verdict",
        "score",
        "max_score",
        "time_s",
        "tests",
        "sandbox",
        "grading_status",
        "seed",
    ]
    assert list(data["tests"][0]) == [
        "name",
        "verdict",
        "score",
        "max_score",
        "message",
        "hint",
        "time_s",
    ]


def test_check_problem_passes_on_the_fixture() -> None:
    result = check_problem(DOUBLE, level="in-process")
    assert result.ok, result.failures
    assert any(i.file == "mistakes/triple.py" for i in result.items)


def test_check_problem_catches_an_accepted_mistake_and_a_missing_hint(pack: Path) -> None:
    shutil.copy(pack / "solution.py", pack / "mistakes" / "not_a_mistake.py")
    (pack / "mistakes" / "unhinted.py").write_text(
        '"""Adds one."""\n\ndef double(x):\n    if not x.numel():\n        raise ValueError\n'
        "    return 2 * x + 1\n"
    )
    (pack / "hidden_tests.py").write_text(
        (pack / "hidden_tests.py")
        .read_text()
        .replace("mistakes=mistakes.on(lambda m: m.double(x)),", "")
    )
    failures = {i.file: i for i in check_problem(load_problem(pack), level="in-process").failures}
    assert "mistakes/not_a_mistake.py" in failures
    assert "without its hint" in failures["mistakes/unhinted.py"].message
    assert "mistakes/triple.py" in failures  # its hint was only attached through mistakes.on


def test_check_problem_wants_public_tests_that_reject_half_the_mistakes(pack: Path) -> None:
    ok = check_problem(load_problem(pack), level="in-process")
    public = next(i for i in ok.items if i.expected.startswith("rejects at least half"))
    assert public.ok and "reject 2 of the 3" in public.message
    (pack / "public_tests.py").write_text("def test_nothing(candidate):\n    pass\n")
    weak = check_problem(load_problem(pack), level="in-process")
    public = next(i for i in weak.failures if i.file == "public_tests.py")
    assert "reject 0 of the 3" in public.message


@pytest.mark.slow
def test_sandbox_path_end_to_end() -> None:
    pytest.importorskip("judge.runner.sandbox")
    result = grade(DOUBLE, DOUBLE_DIR / "mistakes" / "triple.py", level="auto")
    assert result.grading_status == "graded", result.error
    assert result.sandbox["level"] in ("isolated", "basic")
    assert result.verdict == "wrong_answer"
    assert result.tests[0].hint == "You multiply by three: the factor is 2."


@pytest.mark.slow
def test_private_pack_is_hidden_from_the_sandbox(pack: Path, tmp_path: Path) -> None:
    pytest.importorskip("judge.runner.sandbox")
    spy = tmp_path / "spy.py"
    secret = pack / "hidden_tests.py"
    spy.write_text(
        f"def double(x):\n    open({str(secret)!r}).read()\n"
        "    if not x.numel():\n        raise ValueError\n    return 2 * x\n"
    )
    result = grade(load_problem(pack), spy, level="basic")
    assert result.grading_status == "graded", result.error
    assert result.verdict in ("runtime_error", "forbidden"), result.to_dict()


SEED_TEST = "def test_seed(seed):\n    raise AssertionError(f'seed={seed}')\n"


def test_hidden_grades_draw_a_fresh_seed_and_record_it(pack: Path) -> None:
    (pack / "hidden_tests.py").write_text(SEED_TEST)
    problem = load_problem(pack)
    first = in_process(DOUBLE_DIR / "solution.py", problem=problem)
    second = in_process(DOUBLE_DIR / "solution.py", problem=problem)
    assert first.seed != second.seed  # 1 in 2**31 that this fails by chance
    assert first.tests[0].message == f"seed={first.seed}"
    assert first.to_dict()["seed"] == first.seed


def test_a_seed_replays_a_grade(pack: Path) -> None:
    (pack / "hidden_tests.py").write_text(SEED_TEST)
    result = in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack), seed=1234)
    assert result.seed == 1234 and result.tests[0].message == "seed=1234"
    with pytest.raises(ValueError, match="seed"):
        in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack), seed=-1)


def test_public_tests_get_seed_zero_and_record_none(pack: Path) -> None:
    (pack / "public_tests.py").write_text(SEED_TEST)
    result = in_process(DOUBLE_DIR / "solution.py", problem=load_problem(pack), tests="public")
    assert result.tests[0].message == "seed=0"
    assert result.seed is None and "seed" not in result.to_dict()

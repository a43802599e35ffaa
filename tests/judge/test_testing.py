"""The test API problems use (judge.testing): checks, proxies, mistakes, points."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from judge.calls import mistake_hint
from judge.compare import revealing_expected
from judge.runner.inprocess import InProcess
from judge.testing import (
    Mistakes,
    Outcome,
    Probe,
    Proxy,
    ReferenceFailed,
    TestFailed,
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)
from judge.verdicts import SubmissionFailed, Verdict

DOUBLE = Path(__file__).parent / "fixtures" / "double"


def failure(fn) -> TestFailed:
    with pytest.raises(TestFailed) as info:
        fn()
    return info.value


# -- expect_close ------------------------------------------------------------------------
def test_shape_checked_before_values_broadcasting_is_not_equality() -> None:
    assert torch.allclose(torch.zeros(3, 4), torch.zeros(1))  # why the shape comes first
    message = failure(lambda: expect_close(torch.zeros(3, 4), torch.zeros(1))).message
    assert "shape (3, 4), want (1,)" in message


def test_dtype_checked() -> None:
    got, want = torch.ones(2, dtype=torch.float64), torch.ones(2)
    assert (
        "dtype torch.float64, want torch.float32"
        in failure(lambda: expect_close(got, want)).message
    )


def test_value_message_names_error_index_and_values() -> None:
    want = torch.zeros(5, 2)
    got = want.clone()
    got[4, 0] = 0.5
    got[1, 1] = 0.01
    message = failure(lambda: expect_close(got, want, name="params['w']")).message
    assert message.startswith("params['w']: max abs error 0.5 at [4, 0]")
    assert "(got 0.5)" in message
    assert "2 of 10 entries" in message


@pytest.mark.parametrize(
    "check",
    [
        lambda: expect_close(torch.zeros(3), torch.full((3,), 123.456)),
        lambda: expect_equal(torch.zeros(3, dtype=torch.int64), torch.full((3,), 987654)),
        lambda: expect_close({"w": 0.0}, {"w": 123.456}),
        lambda: expect_equal(5, 987654),
        lambda: expect_close([0.5, "x"], [0.5, "secret-987654"]),
        lambda: expect_equal(torch.tensor(0.0), torch.tensor(123.456)),
    ],
)
def test_messages_never_print_the_expected_values(check) -> None:
    # a table of expected values harvested from one grade's messages must not pass the next
    message = failure(check).message
    assert "123.4" not in message and "987654" not in message, message


def test_structure_messages() -> None:
    a = {"w": torch.zeros(1), "b": torch.zeros(1)}
    assert "missing keys ['b']" in failure(lambda: expect_close({"w": a["w"]}, a)).message
    assert "extra keys ['c']" in failure(lambda: expect_close({**a, "c": 1}, a)).message
    assert "got a list, want a Tensor" in failure(lambda: expect_close([1.0], a["w"])).message
    assert "length 1, want 2" in failure(lambda: expect_close((1.0,), (1.0, 2.0))).message
    assert "want a number" in failure(lambda: expect_close(torch.tensor(1.0), 1.0)).message
    assert "result['w']" in failure(lambda: expect_close({**a, "w": a["w"] + 1}, a)).message


def test_nan_inf_and_numbers() -> None:
    expect_close(
        torch.tensor([float("nan"), float("inf")]), torch.tensor([float("nan"), float("inf")])
    )
    failure(lambda: expect_close(torch.tensor([float("nan")]), torch.tensor([0.0])))
    failure(lambda: expect_close(torch.tensor([float("inf")]), torch.tensor([-float("inf")])))
    expect_close(1.0 + 1e-7, 1.0)
    failure(lambda: expect_close(1.1, 1.0))
    failure(lambda: expect_close(-float("inf"), float("inf")))
    failure(lambda: expect_close(1.0, float("inf")))
    expect_close({"a": [1, "x", None, True]}, {"a": [1, "x", None, True]})
    failure(lambda: expect_close(1, True))


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3, width=32), min_size=1, max_size=20),
    noise=st.floats(0, 1, width=32),
)
def test_close_within_float32_tolerance_and_not_beyond(values: list[float], noise: float) -> None:
    want = torch.tensor(values)
    expect_close(want * (1 + 1e-6), want)  # float32 rounding-level differences pass
    bumped = want.clone()
    bumped[0] += 1e-2 + abs(bumped[0]) * 1e-3 + noise
    with pytest.raises(TestFailed):
        expect_close(bumped, want)


def test_expect_equal_exact() -> None:
    expect_equal(torch.tensor([1, 2]), torch.tensor([1, 2]))
    message = failure(lambda: expect_equal(torch.tensor([1, 3]), torch.tensor([1, 2]))).message
    assert "1 of 2 entries differ, first at [1] (got 3)" in message
    failure(lambda: expect_equal(1.0 + 1e-9, 1.0))


def test_expect_and_points() -> None:
    expect(True, "never")
    failed = failure(lambda: expect(False, "broken", hint="a hint"))
    assert (failed.message, failed.hint) == ("broken", "a hint")

    @points(7)
    def test_x() -> None: ...

    assert test_x.points == 7.0


# -- runners, proxies, mistakes -----------------------------------------------------------
def test_proxy_over_inprocess_copies_and_converts() -> None:
    proxy = Proxy(InProcess(DOUBLE / "mistakes" / "in_place.py", ["double"]))
    x = torch.ones(3)
    outcome = proxy.run("double", x)
    assert isinstance(outcome, Outcome)
    assert torch.equal(x, torch.ones(3))  # the caller's tensor is never changed
    assert torch.equal(outcome.args[0], torch.full((3,), 2.0))  # the state after the call
    assert torch.equal(proxy.double(x), torch.full((3,), 2.0))


def test_candidate_failure_is_submission_failed_reference_failure_is_judge_error() -> None:
    runner = InProcess(DOUBLE / "starter.py", ["double"])
    with pytest.raises(SubmissionFailed) as info:
        Proxy(runner).double(torch.ones(1))
    assert info.value.verdict == Verdict.RUNTIME_ERROR
    assert info.value.exc_type == "NotImplementedError"
    with pytest.raises(ReferenceFailed):
        Proxy(runner, reference=True).double(torch.ones(1))


def test_expect_raises_by_name_and_in_process() -> None:
    solution = Proxy(InProcess(DOUBLE / "solution.py", ["double"]))
    expect_raises(ValueError, lambda: solution.double(torch.zeros(0)))
    wrong = failure(lambda: expect_raises(TypeError, lambda: solution.double(torch.zeros(0))))
    assert "expected TypeError" in wrong.message and "ValueError" in wrong.message
    returned = failure(lambda: expect_raises(ValueError, lambda: solution.double(torch.ones(1))))
    assert "returned Tensor" in returned.message

    def crossed() -> None:  # what the sandbox raises: only the exception's name crossed
        raise SubmissionFailed(Verdict.RUNTIME_ERROR, "raised ValueError", exc_type="ValueError")

    expect_raises(ValueError, crossed)

    def timed_out() -> None:
        raise SubmissionFailed(Verdict.TIME_LIMIT, "too slow")

    with pytest.raises(SubmissionFailed):  # not an exception: the test takes that verdict
        expect_raises(ValueError, timed_out)


def test_mistakes_hint_and_diagnosis() -> None:
    mistakes = Mistakes(sorted((DOUBLE / "mistakes").glob("*.py")), ["double"])
    assert len(mistakes) == 3
    assert mistakes.hint("triple") == "You multiply by three: the factor is 2."
    x = torch.tensor([1.0, 2.0])
    failed = failure(
        lambda: expect_close(3 * x, 2 * x, mistakes=mistakes.on(lambda m: m.double(x)))
    )
    assert failed.hint == "You multiply by three: the factor is 2."
    unmatched = failure(
        lambda: expect_close(5 * x, 2 * x, mistakes=mistakes.on(lambda m: m.double(x)))
    )
    assert unmatched.hint is None


def test_mistake_hint_is_first_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text('"""Line one\ncontinues.\n\nAuthor notes."""\n', encoding="utf-8")
    assert mistake_hint(path) == "Line one continues."


def test_probe_holds_its_arguments() -> None:
    probe = Probe("arg_grads", 0, "x")
    assert (probe.name, probe.args) == ("arg_grads", (0, "x"))


# -- inputs that must not change ------------------------------------------------------------
PURE = "def merge(sds, scale=1.0):\n    return {k: v * scale for k, v in sds[0].items()}\n"
WRITES_FIRST = (
    '"""Writes into the first dict."""\n'
    "def merge(sds, scale=1.0):\n"
    "    sds[0]['w'].mul_(scale)\n"
    "    return sds[0]\n"
)
RETURNS_INPUT = '"""Returns the input."""\ndef merge(sds, scale=1.0):\n    return sds[0]\n'
WRITES_SECOND = (
    '"""Writes into the second dict."""\n'
    "def merge(sds, scale=1.0):\n"
    "    sds[1]['w'] += 1\n"
    "    return {k: v * scale for k, v in sds[0].items()}\n"
)


def proxy_of(tmp_path: Path, name: str, source: str) -> Proxy:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return Proxy(InProcess(path, ["merge"]), params={"merge": ("sds", "scale")})


def mistakes_of(tmp_path: Path, **sources: str) -> Mistakes:
    folder = tmp_path / "mistakes"
    folder.mkdir(exist_ok=True)
    for stem, source in sources.items():
        (folder / f"{stem}.py").write_text(source, encoding="utf-8")
    return Mistakes(sorted(folder.glob("*.py")), ["merge"])


def nested_inputs() -> list[dict[str, torch.Tensor]]:
    return [{"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}, {"w": torch.tensor([5.0])}]


def test_unchanged_inputs_pass_and_return_the_value(tmp_path: Path) -> None:
    got = expect_inputs_unchanged(proxy_of(tmp_path, "pure", PURE), "merge", nested_inputs(), 2.0)
    assert torch.equal(got["w"], torch.tensor([2.0, 4.0]))


def test_a_nested_change_is_named_with_the_argument_and_hinted(tmp_path: Path) -> None:
    mistakes = mistakes_of(tmp_path, writes_first=WRITES_FIRST, writes_second=WRITES_SECOND)
    candidate = proxy_of(tmp_path, "cand", WRITES_FIRST)
    sds = nested_inputs()
    failed = failure(
        lambda: expect_inputs_unchanged(candidate, "merge", sds, 2.0, mistakes=mistakes)
    )
    assert "modified its input sds[0]['w']" in failed.message
    assert "(was 1, now 2)" in failed.message  # the entry before and after
    assert failed.hint == "Writes into the first dict."  # not the one that writes sds[1]
    assert torch.equal(sds[0]["w"], torch.tensor([1.0, 2.0]))  # the caller's copy is intact
    second = proxy_of(tmp_path, "second", WRITES_SECOND)
    failed = failure(lambda: expect_inputs_unchanged(second, "merge", sds, mistakes=mistakes))
    assert "sds[1]['w']" in failed.message and failed.hint == "Writes into the second dict."


def test_a_returned_alias_fails_only_when_new_tensors_are_required(tmp_path: Path) -> None:
    mistakes = mistakes_of(tmp_path, returns_input=RETURNS_INPUT, writes_second=WRITES_SECOND)
    candidate = proxy_of(tmp_path, "alias", RETURNS_INPUT)
    expect_inputs_unchanged(candidate, "merge", nested_inputs())  # values unchanged: passes
    failed = failure(
        lambda: expect_inputs_unchanged(
            candidate, "merge", nested_inputs(), mistakes=mistakes, new_tensors=True
        )
    )
    assert "returned result['w'] sharing memory with an input" in failed.message
    assert failed.hint == "Returns the input."
    pure = proxy_of(tmp_path, "pure", PURE)
    expect_inputs_unchanged(pure, "merge", nested_inputs(), new_tensors=True)


# -- feedback ---------------------------------------------------------------------------
def test_enough_digits_to_show_the_difference_and_a_precision_note() -> None:
    want = torch.tensor([-74.67241289], dtype=torch.float64)
    got = want.float().double()  # the value after a float32 round trip
    with revealing_expected(True):  # as on the public tests
        failed = failure(lambda: expect_close(got, want, rtol=1e-12, atol=0.0))
        number = failure(lambda: expect_close(-74.6724129, -74.6724128, rtol=1e-12, atol=0.0))
    shown = failed.message.split("(got ", 1)[1].split(")", 1)[0]
    g, w = shown.split(", want ")
    assert g != w  # the digits differ where the values do
    assert "float32's precision" in failed.message
    assert "got -74.6724129, want -74.6724128" in number.message


def test_hidden_tests_never_print_the_expected_value() -> None:
    """Outside the public tests (the default), a message shows what was got, not what was
    wanted: a table of expected values cannot be harvested from a grade's messages."""
    tensor = failure(lambda: expect_close(torch.tensor([1.5, 2.0]), torch.tensor([1.5, 2.25])))
    number = failure(lambda: expect_close(-74.6724129, -74.6724128, rtol=1e-12, atol=0.0))
    for failed, hidden in ((tensor, "2.25"), (number, "-74.6724128")):
        assert "want" not in failed.message and hidden not in failed.message, failed.message
    assert "got 2" in tensor.message and "got -74.6724129" in number.message
    far = failure(lambda: expect_close(torch.tensor([1.0]), torch.tensor([2.0])))
    assert "precision" not in far.message  # a real error is not blamed on rounding


def test_half_precision_compares_at_its_own_rounding() -> None:
    want = torch.tensor([1.896484375], dtype=torch.float16)
    expect_close(want + 0.0009765625, want)  # one float16 ulp at 1.9: within tolerance
    failure(lambda: expect_close(want + 0.25, want))


def test_two_mistakes_with_the_same_output_are_both_named(tmp_path: Path) -> None:
    one = '"""Multiplies by 3."""\ndef merge(sds, scale=1.0):\n    return 3 * sds\n'
    other = '"""Scales on the right."""\ndef merge(sds, scale=1.0):\n    return sds * 3\n'
    mistakes = mistakes_of(tmp_path, one=one, other=other)
    x = torch.tensor([1.0, 2.0])
    failed = failure(lambda: expect_close(3 * x, 2 * x, mistakes=mistakes.on(lambda m: m.merge(x))))
    assert failed.hint.startswith("On these inputs this output matches 2 known mistakes")
    assert "Multiplies by 3." in failed.hint and "Scales on the right." in failed.hint

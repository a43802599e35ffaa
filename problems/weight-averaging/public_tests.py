"""Public tests: one per clause of the prompt, on small fixed state dicts with the numbers in
view (the hidden tests draw BatchNorm models from a per-grade seed)."""

import torch

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def test_weighted_average_example(candidate, mistakes):
    """Example. Weights [3, 1] are normalised to [3/4, 1/4]: averaging {"w": [0, 2]} and
    {"w": [2, 4]} gives {"w": [0.5, 2.5]}.

    中文：权重 [3, 1] 归一化为 [3/4, 1/4]：对 {"w": [0, 2]} 和 {"w": [2, 4]} 加权平均得到 {"w":
    [0.5, 2.5]}。"""
    sds = [{"w": T([0.0, 2.0])}, {"w": T([2.0, 4.0])}]
    expect_close(
        candidate.average_state_dicts(sds, [3.0, 1.0]),
        {"w": T([0.5, 2.5])},
        name="average with weights [3, 1]",
        mistakes=mistakes.on(lambda m: m.average_state_dicts(sds, [3.0, 1.0])),
    )


def test_uniform_average_of_three(candidate, mistakes):
    """Example. Without weights every model counts the same, however many there are:
    the mean of [0], [3] and [9] is [4].

    中文：不给权重时，无论有多少个模型，每个模型的份量都相同：[0]、[3] 和 [9] 的均值是 [4]。"""
    sds = [{"w": T([0.0])}, {"w": T([3.0])}, {"w": T([9.0])}]
    expect_close(
        candidate.average_state_dicts(sds),
        {"w": T([4.0])},
        name="uniform average of three",
        mistakes=mistakes.on(lambda m: m.average_state_dicts(sds)),
    )


def test_counter_is_copied_and_dtypes_are_kept(candidate, mistakes):
    """The int64 counter comes from the first state dict (5, not the mean 7); a float64
    tensor stays float64 and a float16 one float16; running statistics are averaged."""
    sds = [
        {"w": T([1.0], dtype=torch.float64), "h": T([1.0]).half(), "rm": T([0.0]), "n": T(5)},
        {"w": T([2.0], dtype=torch.float64), "h": T([3.0]).half(), "rm": T([1.0]), "n": T(9)},
    ]
    want = {"w": T([1.5], dtype=torch.float64), "h": T([2.0]).half(), "rm": T([0.5]), "n": T(5)}
    expect_close(
        candidate.average_state_dicts(sds),
        want,
        name="average",
        mistakes=mistakes.on(lambda m: m.average_state_dicts(sds)),
    )


def test_invalid_inputs_raise(candidate, mistakes):
    """An empty list, a shape mismatch that would broadcast, and a negative weight raise
    ValueError."""
    hint = mistakes.hint("no_validation")
    a, b = {"w": T([1.0, 2.0])}, {"w": T([1.0])}
    expect_raises(ValueError, lambda: candidate.average_state_dicts([]), name="[]", hint=hint)
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, b]),
        name="shapes (2,) (1,)",
        hint=hint,
    )
    expect_raises(
        ValueError,
        lambda: candidate.average_state_dicts([a, a], [1.0, -1.0]),
        name="weights [1, -1]",
        hint=hint,
    )


def test_inputs_are_not_modified(candidate, mistakes):
    """The state dicts passed in are left as they were, and the result is new tensors."""
    sds = [{"w": T([1.0, 2.0])}, {"w": T([3.0, 6.0])}]
    expect_inputs_unchanged(
        candidate, "average_state_dicts", sds, [1.0, 1.0], mistakes=mistakes, new_tensors=True
    )

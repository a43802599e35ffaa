"""Public tests: one per clause of the prompt, on small fixed state dicts with the numbers in
view (the hidden tests draw BatchNorm models and Fishers from a per-grade seed)."""

import torch

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def test_example_from_the_prompt(candidate, mistakes):
    """Example. theta_1 = [0, 0], theta_2 = [4, 4], F_1 = [3, 0], F_2 = [1, 0] give [1, 2]:
    entry 0 is (3·0 + 1·4) / (3 + 1) = 1, leaning towards the model that cares more; entry 1
    has zero Fisher in both models and falls back to the plain average 2.

    中文：theta_1 = [0, 0]、theta_2 = [4, 4]、F_1 = [3, 0]、F_2 = [1, 0] 给出 [1, 2]：第 0
    个元素是 (3·0 + 1·4) / (3 + 1) = 1，偏向更在意它的那个模型；第 1 个元素在两个模型中的 Fisher
    都为零，退回普通平均 2。"""
    sds = [{"w": T([0.0, 0.0])}, {"w": T([4.0, 4.0])}]
    fs = [{"w": T([3.0, 0.0])}, {"w": T([1.0, 0.0])}]
    expect_close(
        candidate.fisher_merge(sds, fs),
        {"w": T([1.0, 2.0])},
        name="merged",
        mistakes=mistakes.on(lambda m: m.fisher_merge(sds, fs)),
    )


def test_elementwise_not_per_tensor(candidate, mistakes):
    """Example. Each entry has its own weights: with F_1 = [9, 1] and F_2 = [1, 9] the first
    entry follows model 1 and the second model 2: (9·10 + 1·0) / 10 = 9 and (1·10 + 9·0) / 10
    = 1 for theta_1 = [10, 10], theta_2 = [0, 0].

    中文：每个元素有自己的权重：F_1 = [9, 1]、F_2 = [1, 9] 时，第一个元素跟随模型
    1，第二个跟随模型 2：对 theta_1 = [10, 10]、theta_2 = [0, 0]，(9·10 + 1·0) / 10 = 9，(1·10 +
    9·0) / 10 = 1。"""
    sds = [{"w": T([10.0, 10.0])}, {"w": T([0.0, 0.0])}]
    fs = [{"w": T([9.0, 1.0])}, {"w": T([1.0, 9.0])}]
    expect_close(
        candidate.fisher_merge(sds, fs),
        {"w": T([9.0, 1.0])},
        name="merged",
        mistakes=mistakes.on(lambda m: m.fisher_merge(sds, fs)),
    )


def test_missing_entries_and_counters(candidate, mistakes):
    """A running statistic without a Fisher entry counts as zero Fisher (plain average: 3);
    the int64 counter is copied from the first state dict (2, not 6)."""
    sds = [
        {"w": T([1.0]), "rm": T([2.0]), "n": T(2)},
        {"w": T([5.0]), "rm": T([4.0]), "n": T(10)},
    ]
    fs = [{"w": T([1.0])}, {"w": T([3.0])}]
    expect_close(
        candidate.fisher_merge(sds, fs),
        {"w": T([4.0]), "rm": T([3.0]), "n": T(2)},
        name="merged",
        mistakes=mistakes.on(lambda m: m.fisher_merge(sds, fs)),
    )


def test_eps_in_float16(candidate, mistakes):
    """Zero Fishers in float16 models: eps = 1e-8 would underflow to 0 in float16, so the
    sums are taken in float64 and the result is the plain average, cast back to float16."""
    sds = [{"w": T([1.0, 3.0]).half()}, {"w": T([2.0, 5.0]).half()}]
    fs = [{"w": T([0.0, 0.0]).half()}, {"w": T([0.0, 0.0]).half()}]
    expect_close(
        candidate.fisher_merge(sds, fs),
        {"w": T([1.5, 4.0]).half()},
        name="merged float16 with zero Fishers",
        mistakes=mistakes.on(lambda m: m.fisher_merge(sds, fs)),
    )


def test_inconsistent_inputs_raise(candidate, mistakes):
    """One Fisher for two models, and a Fisher entry of the wrong shape, raise ValueError."""
    hint = mistakes.hint("no_validation")
    sds = [{"w": T([1.0, 2.0])}, {"w": T([3.0, 4.0])}]
    f = {"w": T([1.0, 1.0])}
    expect_raises(
        ValueError, lambda: candidate.fisher_merge(sds, [f]), name="one Fisher", hint=hint
    )
    expect_raises(
        ValueError,
        lambda: candidate.fisher_merge(sds, [f, {"w": T([1.0])}]),
        name="a Fisher of shape (1,) for a (2,) tensor",
        hint=hint,
    )


def test_inputs_are_not_modified(candidate, mistakes):
    """Neither the state dicts nor the Fishers change (no eps added into them in place)."""
    sds = [{"w": T([1.0, 2.0])}, {"w": T([3.0, 4.0])}]
    fs = [{"w": T([0.0, 1.0])}, {"w": T([2.0, 0.0])}]
    expect_inputs_unchanged(candidate, "fisher_merge", sds, fs, mistakes=mistakes, new_tensors=True)

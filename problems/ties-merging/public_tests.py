"""Public tests: the prompt's worked example, one model at density 1 (plain task arithmetic),
and one test per clause of the prompt on small state dicts (the hidden tests merge BatchNorm
models)."""

import torch

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def test_the_prompts_example(candidate, mistakes):
    pre = {"w": torch.zeros(4)}
    fts = [
        {"w": torch.tensor([3.0, 0.0, 0.5, 2.0])},
        {"w": torch.tensor([-2.0, -1.0, 1.0, -1.0])},
        {"w": torch.tensor([1.0, 4.0, -0.2, -2.0])},
    ]
    expect_close(
        candidate.ties_merge(pre, fts, 0.5, 1.0),
        {"w": torch.tensor([3.0, 4.0, 0.0, 0.0])},
        name="ties_merge(density=0.5, scale=1)",
        mistakes=mistakes.on(lambda m: m.ties_merge(pre, fts, 0.5, 1.0)),
    )


def test_one_model_at_density_one_is_task_arithmetic(candidate, mistakes):
    pre = {"w": torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "b": torch.tensor([0.5, -0.5])}
    ft = {"w": torch.tensor([[2.0, 2.0], [1.0, 4.5]]), "b": torch.tensor([0.0, 0.5])}
    # pre + 0.5 * (ft - pre)
    want = {"w": torch.tensor([[1.5, 2.0], [2.0, 4.25]]), "b": torch.tensor([0.25, 0.0])}
    expect_close(
        candidate.ties_merge(pre, [ft], 1.0, 0.5),
        want,
        name="ties_merge(one model, density=1, scale=0.5)",
        mistakes=mistakes.on(lambda m: m.ties_merge(pre, [ft], 1.0, 0.5)),
    )


def test_the_trim_count_ties_and_counters(candidate, mistakes):
    """Example. One model, 5 entries at density 0.5: k = round(2.5) = 2 (Python's round,
    halves to even). tau = [1, -5, 2, 2, 0.5] keeps -5 and, of the tied 2s, the one at the
    lower index 2: the result is [0, -5, 2, 0, 0]. The integer counter "n" is copied from
    pretrained (4), not merged.

    中文：一个模型、5 个元素、density 0.5：k = round(2.5) = 2（Python 的 round，恰好一半时取
    偶数）。tau = [1, -5, 2, 2, 0.5] 保留 -5，以及两个并列的 2 中下标较小的那个（下标 2）：
    结果为 [0, -5, 2, 0, 0]。整数计数器 "n" 照抄 pretrained 的 4，不参与合并。
    """
    pre = {"w": torch.zeros(5), "n": T(4)}
    fts = [{"w": T([1.0, -5.0, 2.0, 2.0, 0.5]), "n": T(9)}]
    expect_close(
        candidate.ties_merge(pre, fts, 0.5, 1.0),
        {"w": T([0.0, -5.0, 2.0, 0.0, 0.0]), "n": T(4)},
        name="ties_merge(one model, density=0.5)",
        mistakes=mistakes.on(lambda m: m.ties_merge(pre, fts, 0.5, 1.0)),
    )


def test_invalid_inputs_raise(candidate, mistakes):
    """An empty list, other keys or shapes, or a density outside (0, 1] raise ValueError."""
    hint = mistakes.hint("no_validation")
    pre = {"w": T([1.0, 2.0]), "b": T([0.0])}
    ft = {"w": T([2.0, 2.0]), "b": T([1.0])}
    cases = [
        ("no fine-tuned models", [], 0.5),
        ("a model without key 'b'", [ft, {"w": T([0.0, 1.0])}], 0.5),
        ("'w' of shape (3,)", [{"w": T([1.0, 2.0, 3.0]), "b": T([1.0])}], 0.5),
        ("density 0", [ft], 0.0),
        ("density 1.5", [ft], 1.5),
    ]
    for what, models, density in cases:
        expect_raises(
            ValueError,
            lambda models=models, d=density: candidate.ties_merge(pre, models, d, 1.0),
            name=what,
            hint=hint,
        )


def test_inputs_are_not_modified_and_results_are_new(candidate, mistakes):
    """The state dicts passed in keep their values, and no returned tensor (not even the
    copied counter "n") shares memory with an input."""
    pre = {"w": T([1.0, 1.0, 1.0]), "n": T(3)}
    fts = [{"w": T([2.0, 0.0, 1.5]), "n": T(5)}, {"w": T([3.0, 1.0, 0.0]), "n": T(6)}]
    expect_inputs_unchanged(
        candidate, "ties_merge", pre, fts, 0.5, 1.0, mistakes=mistakes, new_tensors=True
    )

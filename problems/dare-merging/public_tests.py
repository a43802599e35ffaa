"""Public tests: the prompt's worked example, and drop_rate 0 (plain task arithmetic)."""

import torch

from judge.testing import expect_close


def test_the_prompts_example(candidate, mistakes):
    pre = {"w": torch.zeros(6)}
    fts = [
        {"w": torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])},
        {"w": torch.tensor([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])},
    ]
    expect_close(
        candidate.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(0)),
        {"w": torch.tensor([0.0, 6.0, 0.0, 2.0, 0.0, 12.0])},
        name="dare_merge(drop_rate=0.5, seed 0)",
        mistakes=mistakes.on(
            lambda m: m.dare_merge(pre, fts, 0.5, 1.0, torch.Generator().manual_seed(0))
        ),
    )


def test_drop_rate_zero_is_task_arithmetic(candidate, mistakes):
    pre = {"w": torch.tensor([[1.0, 2.0], [3.0, 4.0]])}
    fts = [
        {"w": torch.tensor([[2.0, 2.0], [1.0, 4.0]])},
        {"w": torch.tensor([[1.0, 3.0], [3.0, 6.0]])},
    ]
    # pre + 0.5 * (tau_1 + tau_2) = pre + 0.5 * [[1, 1], [-2, 2]]
    expect_close(
        candidate.dare_merge(pre, fts, 0.0, 0.5, torch.Generator().manual_seed(1)),
        {"w": torch.tensor([[1.5, 2.5], [2.0, 5.0]])},
        name="dare_merge(drop_rate=0, scale=0.5)",
        mistakes=mistakes.on(
            lambda m: m.dare_merge(pre, fts, 0.0, 0.5, torch.Generator().manual_seed(1))
        ),
    )

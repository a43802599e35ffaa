"""Public tests: the prompt's worked example, and one model at density 1 (plain task arithmetic)."""

import torch

from judge.testing import expect_close


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

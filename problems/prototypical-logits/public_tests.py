"""Public examples for prototypical-logits."""

import torch

from judge.testing import expect_close


def test_two_way_by_hand(candidate, solution, mistakes):
    """Example. The prototypes are the class means (1, 0) and (0, 5); a logit is minus the
    squared Euclidean distance: query (1, 1) is at 1 from the first and 17 from the second,
    so its logits are [-1, -17].

    中文：原型是各类的均值 (1, 0) 和 (0, 5)；logit 是负的平方欧氏距离：查询 (1, 1)
    到第一个原型的平方距离是 1，到第二个是 17，所以它的 logits 是 [-1, -17]。"""
    support = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [0.0, 6.0]])
    support_y = torch.tensor([0, 0, 1, 1])  # prototypes (1, 0) and (0, 5)
    query = torch.tensor([[1.0, 1.0], [0.0, 5.0], [3.0, 0.0]])
    want = torch.tensor([[-1.0, -17.0], [-26.0, 0.0], [-4.0, -34.0]])
    args = (support, support_y, query, 2)
    expect_close(
        candidate.prototypical_logits(*args),
        want,
        name="logits",
        mistakes=mistakes.on(lambda m: m.prototypical_logits(*args)),
    )


def test_shuffled_support(candidate, solution, mistakes):
    gen = torch.Generator().manual_seed(0)
    support, query = torch.randn(12, 4, generator=gen), torch.randn(5, 4, generator=gen)
    support_y = torch.randperm(12, generator=gen) % 3
    args = (support, support_y, query, 3)
    expect_close(
        candidate.prototypical_logits(*args),
        solution.prototypical_logits(*args),
        name="logits",
        rtol=1e-4,
        atol=1e-4,
        mistakes=mistakes.on(lambda m: m.prototypical_logits(*args)),
    )

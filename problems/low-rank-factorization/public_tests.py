"""Public tests: the structure of the result and a rank-2 product."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, expect_raises


def layer(seed: int = 0) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(6, 4)


def test_structure(candidate):
    got = candidate.low_rank_linear(layer(), 2)
    shapes = {k: tuple(v.shape) for k, v in got.items()}
    expect_equal(shapes, {"0.weight": (2, 6), "1.weight": (4, 2), "1.bias": (4,)}, name="shapes")


def test_rank_two_product(candidate, solution, mistakes):
    lin = layer(1)
    got = candidate.low_rank_linear(lin, 2)
    want = solution.low_rank_linear(lin, 2)
    expect_close(
        got["1.weight"] @ got["0.weight"],
        want["1.weight"] @ want["0.weight"],
        name="second.weight @ first.weight",
        mistakes=mistakes.on(
            lambda m: (lambda sd: sd["1.weight"] @ sd["0.weight"])(m.low_rank_linear(lin, 2))
        ),
    )


def test_worked_example_by_hand(candidate, mistakes):
    """Example. W = [[3, 0, 0], [0, 1, 0]] has singular values 3 and 1: the best rank-1
    approximation keeps the 3, so B·A = [[3, 0, 0], [0, 0, 0]]; the bias [1, 2] is copied
    into the second layer.

    中文：W = [[3, 0, 0], [0, 1, 0]] 的奇异值为 3 和 1：最好的秩 1 近似保留 3，所以 B·A = [[3, 0,
    0], [0, 0, 0]]；偏置 [1, 2] 被复制到第二层。"""
    layer = nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
        layer.bias.copy_(torch.tensor([1.0, 2.0]))
    got = candidate.low_rank_linear(layer, 1)

    def product(sd):
        return {"B·A": sd["1.weight"] @ sd["0.weight"], "bias": sd["1.bias"]}

    expect_close(
        product(got),
        {"B·A": torch.tensor([[3.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), "bias": torch.tensor([1.0, 2.0])},
        name="rank-1 factorisation",
        mistakes=mistakes.on(lambda m: product(m.low_rank_linear(layer, 1))),
    )


def test_no_bias_stays_no_bias_and_ranks_are_checked(candidate, mistakes):
    """A layer without bias gives a second layer without bias (keys 0.weight and 1.weight
    only); rank 0 and a rank above min(out, in) = 4 raise ValueError."""
    plain = nn.Linear(6, 4, bias=False)
    got = candidate.low_rank_linear(plain, 2)
    expect_equal(
        sorted(got),
        ["0.weight", "1.weight"],
        name="keys of the result",
        mistakes=mistakes.on(lambda m: sorted(m.low_rank_linear(plain, 2))),
    )
    for rank in (0, 5):
        expect_raises(
            ValueError,
            lambda rank=rank: candidate.low_rank_linear(layer(), rank),
            name=f"rank {rank}",
            hint=mistakes.hint("no_validation"),
        )

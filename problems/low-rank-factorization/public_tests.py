"""Public tests: the structure of the result and a rank-2 product."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal


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

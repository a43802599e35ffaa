"""Public tests: two models with positive Fishers, and equal Fishers (the plain average)."""

import torch
from torch import nn

from judge.testing import expect_close


def model_and_fisher(seed: int):
    torch.manual_seed(seed)
    sd = dict(nn.Linear(3, 2).state_dict())
    return sd, {k: torch.rand_like(v) for k, v in sd.items()}


def test_two_models(candidate, solution, mistakes):
    (a, fa), (b, fb) = model_and_fisher(0), model_and_fisher(1)
    expect_close(
        candidate.fisher_merge([a, b], [fa, fb]),
        solution.fisher_merge([a, b], [fa, fb]),
        name="merged",
        mistakes=mistakes.on(lambda m: m.fisher_merge([a, b], [fa, fb])),
    )


def test_equal_fishers_give_the_plain_average(candidate, mistakes):
    (a, fa), (b, _) = model_and_fisher(2), model_and_fisher(3)
    expect_close(
        candidate.fisher_merge([a, b], [fa, fa]),
        {k: (a[k] + b[k]) / 2 for k in a},
        name="merged with equal Fishers",
        mistakes=mistakes.on(lambda m: m.fisher_merge([a, b], [fa, fa])),
    )

"""Public tests: global pruning of a small MLP, and sparsity 0."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal


def small_mlp(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))


def test_global_half(candidate, solution, mistakes):
    model = small_mlp()
    got = candidate.run("magnitude_prune", model, 0.5)
    want = solution.run("magnitude_prune", model, 0.5)
    expect_equal(got.value, want.value, name="masks")
    expect_close(
        got.args[0],
        want.args[0],
        name="model after pruning",
        mistakes=mistakes.on(lambda m: m.run("magnitude_prune", model, 0.5).args[0]),
    )


def test_sparsity_zero_keeps_everything(candidate):
    model = small_mlp(1)
    got = candidate.run("magnitude_prune", model, 0.0)
    expect_equal(
        got.value,
        {
            "0.weight": torch.ones(5, 6, dtype=torch.bool),
            "2.weight": torch.ones(3, 5, dtype=torch.bool),
        },
        name="masks",
    )
    expect_close(got.args[0], dict(model.state_dict()), name="model after pruning with sparsity 0")

"""Public tests: global pruning of a small MLP, and sparsity 0."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, expect_raises


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


def test_worked_example_by_hand(candidate, mistakes):
    """Example. Weights [[0.1, -2], [3, -0.05]] and [[0.5, -0.2]]: 6 weights, sparsity 0.5,
    so the round(3.0) = 3 smallest magnitudes, 0.05, 0.1 and 0.2, are pruned across both
    layers. Masks (True = kept): [[False, True], [True, False]] and [[True, False]]; the
    model's weights become [[0, -2], [3, 0]] and [[0.5, 0]], its biases stay as they were.

    中文：权重 [[0.1, -2], [3, -0.05]] 和 [[0.5, -0.2]]：共 6 个权重，sparsity
    0.5，因此在两层中一起剪掉 round(3.0) = 3 个幅值最小的权重：0.05、0.1 和 0.2。掩码（True =
    保留）为 [[False, True], [True, False]] 和 [[True, False]]；模型的权重变为 [[0, -2], [3, 0]]
    和 [[0.5, 0]]，偏置保持不变。"""
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.1, -2.0], [3.0, -0.05]]))
        model[2].weight.copy_(torch.tensor([[0.5, -0.2]]))
    before = dict(model.state_dict())
    got = candidate.run("magnitude_prune", model, 0.5)
    expect_equal(
        got.value,
        {
            "0.weight": torch.tensor([[False, True], [True, False]]),
            "2.weight": torch.tensor([[True, False]]),
        },
        name="masks",
        mistakes=mistakes.on(lambda m: m.magnitude_prune(model, 0.5)),
    )
    want = {
        **before,
        "0.weight": torch.tensor([[0.0, -2.0], [3.0, 0.0]]),
        "2.weight": torch.tensor([[0.5, 0.0]]),
    }
    expect_close(
        got.args[0],
        want,
        name="the model after pruning",
        mistakes=mistakes.on(lambda m: m.run("magnitude_prune", model, 0.5).args[0]),
    )


def test_counts_round_and_normalisation_is_left_alone(candidate, mistakes):
    """Sparsity 0.6 of the 6 weights [[1, -2, 3], [-4, 5, -6]] prunes round(3.6) = 4 of them
    (not int(3.6) = 3): 1, 2, 3 and 4 go, 5 and 6 stay. BatchNorm's weight is not prunable:
    no mask for it, and it is unchanged. A sparsity outside [0, 1] raises ValueError."""
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]]))
    got = candidate.run("magnitude_prune", model, 0.6)
    expect_equal(
        got.value,
        {"0.weight": torch.tensor([[False, False, False], [False, True, True]])},
        name="masks (4 of 6 pruned)",
        mistakes=mistakes.on(lambda m: m.magnitude_prune(model, 0.6)),
    )
    expect_equal(got.args[0]["1.weight"], torch.ones(2), name="BatchNorm weight after pruning")
    expect_raises(
        ValueError,
        lambda: candidate.magnitude_prune(model, 1.5),
        name="sparsity 1.5",
        hint=mistakes.hint("no_validation"),
    )

"""Hidden tests: global and per-layer scope, Conv2d + BatchNorm models, sparsity 0 and 1,
ties, the rounding of the count, argument checks and the in-place contract.

Random weights have no ties at the cut, so there the masks must equal the reference's
exactly; the tie test checks only what the contract fixes (how many, and which magnitudes).
"""

import torch
from torch import nn

from judge.testing import TestFailed, expect, expect_close, expect_equal, expect_raises


def mlp(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 8, bias=False), nn.ReLU(), nn.Linear(8, 3)
    )


def convnet(seed: int) -> nn.Sequential:
    """Conv2d, BatchNorm2d (with updated running statistics) and Linear: 6x6 inputs."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 5),
    )
    with torch.no_grad():
        model[1].weight.uniform_(0.01, 0.05)  # small: a wrong pruner would pick them first
        model(torch.randn(8, 2, 6, 6))  # updates running_mean/var and num_batches_tracked
    return model.eval()


def same_as_solution(candidate, solution, mistakes, model, *args, **kwargs):
    got = candidate.run("magnitude_prune", model, *args, **kwargs)
    want = solution.run("magnitude_prune", model, *args, **kwargs)
    expect_close(
        got.value,
        want.value,
        name="masks",
        mistakes=mistakes.on(lambda m: m.magnitude_prune(model, *args, **kwargs)),
    )
    expect_close(
        got.args[0],
        want.args[0],
        name="model after pruning",
        mistakes=mistakes.on(lambda m: m.run("magnitude_prune", model, *args, **kwargs).args[0]),
    )
    return got


def check_masks(masks, state, names):
    """The masks are bool tensors shaped like the weights they mask, under those names."""
    expect(type(masks) is dict, f"returned a {type(masks).__name__}, expected a dict of masks")
    expect_equal(sorted(masks), sorted(names), name="masked parameter names")
    for k in names:
        expect(
            isinstance(masks[k], torch.Tensor) and masks[k].dtype == torch.bool,
            f"mask {k!r} is not a bool tensor",
        )
        expect_equal(tuple(masks[k].shape), tuple(state[k].shape), name=f"shape of mask {k!r}")


def test_global_half(candidate, solution, mistakes, seed):
    same_as_solution(candidate, solution, mistakes, mlp(seed + 0), 0.5)


def test_global_is_the_default_scope(candidate, solution, mistakes, seed):
    same_as_solution(candidate, solution, mistakes, mlp(seed + 1), 0.8, scope="global")


def test_per_layer_scope(candidate, solution, mistakes, seed):
    got = same_as_solution(candidate, solution, mistakes, mlp(seed + 2), 0.3, scope="layer")
    for name, mask in got.value.items():
        expect_equal(int((~mask).sum()), round(0.3 * mask.numel()), name=f"pruned in {name}")


def test_conv_batchnorm_linear_model(candidate, solution, mistakes, seed):
    model = convnet(seed + 3)
    got = same_as_solution(candidate, solution, mistakes, model, 0.7)
    expect_equal(sorted(got.value), ["0.weight", "4.weight"], name="masked parameters")
    before = dict(model.state_dict())
    for key in ("0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "4.bias"):
        expect_close(got.args[0][key], before[key], name=f"{key} (must be untouched)")
    expect_equal(got.args[0]["1.num_batches_tracked"], before["1.num_batches_tracked"])


def test_conv_model_per_layer(candidate, solution, mistakes, seed):
    same_as_solution(candidate, solution, mistakes, convnet(seed + 4), 0.45, scope="layer")


def test_sparsity_zero_changes_nothing(candidate, solution, mistakes, seed):
    model = convnet(seed + 5)
    got = same_as_solution(candidate, solution, mistakes, model, 0.0)
    expect_close(got.args[0], dict(model.state_dict()), name="model after pruning with sparsity 0")


def test_sparsity_one_removes_every_weight(candidate, solution, mistakes, seed):
    model = mlp(seed + 6)
    got = same_as_solution(candidate, solution, mistakes, model, 1.0)
    for name in ("0.weight", "2.weight", "4.weight"):
        expect(bool((got.args[0][name] == 0).all()), f"{name} is not all zero at sparsity 1")
        expect(not bool(got.value[name].any()), f"mask of {name} keeps something at sparsity 1")
    for name in ("0.bias", "4.bias"):
        expect_close(got.args[0][name], dict(model.state_dict())[name], name=f"{name} (untouched)")


def test_ties_prune_exactly_the_count(candidate, mistakes, seed):
    """Magnitudes from {0, 1, 2, 3}: many ties at the cut; any tie-break is allowed."""
    torch.manual_seed(seed + 7)
    model = nn.Sequential(nn.Linear(10, 8), nn.Linear(8, 4))
    with torch.no_grad():
        for layer in model:
            sign = torch.randint(0, 2, layer.weight.shape) * 2 - 1
            layer.weight.copy_(sign * torch.randint(0, 4, layer.weight.shape))
    before = dict(model.state_dict())
    out = candidate.run("magnitude_prune", model, 0.55)
    masks = out.value
    check_masks(masks, before, ["0.weight", "1.weight"])
    expect(sorted(out.args[0]) == sorted(before), "the model's state_dict keys changed")
    n = 10 * 8 + 8 * 4
    pruned = sum(int((~m).sum()) for m in masks.values())
    expect(
        pruned == round(0.55 * n),
        f"{pruned} weights pruned, expected round(0.55 * {n}) = {round(0.55 * n)} even with ties",
    )
    kept_min = min(before[k].abs()[m].min().item() for k, m in masks.items() if m.any())
    pruned_max = max(before[k].abs()[~m].max().item() for k, m in masks.items() if (~m).any())
    expect(
        pruned_max <= kept_min,
        f"a weight of magnitude {pruned_max} was pruned while one of {kept_min} was kept",
    )
    for k, m in masks.items():
        expect_close(out.args[0][k], before[k] * m, name=f"{k} after pruning (= weight * mask)")


def test_count_is_rounded_not_truncated(candidate, mistakes, seed):
    torch.manual_seed(seed + 8)
    model = nn.Sequential(nn.Linear(10, 10, bias=False))
    masks = candidate.magnitude_prune(model, 0.29)
    check_masks(masks, dict(model.state_dict()), ["0.weight"])
    pruned = int((~masks["0.weight"]).sum())
    expect(
        pruned == 29,
        f"{pruned} of 100 weights pruned at sparsity 0.29; expected round(0.29 * 100) = 29",
        hint=mistakes.hint("floor_count") if pruned == 28 else None,
    )


def test_no_pruning_reparametrisation_left(candidate, mistakes, seed):
    model = convnet(seed + 9)
    out = candidate.run("magnitude_prune", model, 0.5)
    keys = sorted(out.args[0])
    expect(
        keys == sorted(model.state_dict()),
        f"the model's state_dict keys changed to {keys}",
        hint=mistakes.hint("hooks_left") if any(k.endswith("_orig") for k in keys) else None,
    )


def test_invalid_arguments_raise(candidate, mistakes, seed):
    model = mlp(seed + 10)
    try:
        expect_raises(ValueError, lambda: candidate.magnitude_prune(model, 1.5))
        expect_raises(ValueError, lambda: candidate.magnitude_prune(model, -0.1))
        expect_raises(ValueError, lambda: candidate.magnitude_prune(model, 0.5, scope="neuron"))
    except TestFailed as failure:
        raise TestFailed(failure.args[0], hint=mistakes.hint("no_validation")) from None

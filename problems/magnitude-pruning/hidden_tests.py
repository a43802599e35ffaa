"""Hidden tests: global and per-layer scope, Conv2d + BatchNorm models, sparsity 0 and 1,
ties, the rounding of the count, argument checks and the in-place contract.

Random weights (from the per-grade ``seed``) have no ties at the cut, so there the masks
must equal the reference's exactly; the tie test checks only what the contract fixes (how
many, and which magnitudes). Points follow the clause: the masks (which weights, ranked how,
in which scope) weigh most; pruning the model in place, leaving no reparametrisation behind
and validation less. The mask tests compare the masks; the in-place tests the model, read
through any ``weight_orig * weight_mask`` left behind (whose keys cost their own tests).
"""

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_equal, expect_raises, points


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


def same_masks(candidate, solution, mistakes, model, *args, **kwargs):
    got = candidate.run("magnitude_prune", model, *args, **kwargs)
    want = solution.run("magnitude_prune", model, *args, **kwargs)
    expect_close(
        got.value,
        want.value,
        name="masks",
        mistakes=mistakes.on(lambda m: m.magnitude_prune(model, *args, **kwargs)),
    )
    return got


def effective(state: dict) -> dict:
    """The state with a left-behind reparametrisation read as the weight it computes."""
    out = {}
    for k, v in state.items():
        if k.endswith("_orig") and k[:-5] + "_mask" in state:
            out[k[:-5]] = v * state[k[:-5] + "_mask"]
        elif not (k.endswith("_mask") and k[:-5] + "_orig" in state):
            out[k] = v
    return out


def same_model(candidate, solution, mistakes, model, *args, **kwargs):
    """The model after pruning (in place) as the solution's."""
    got = candidate.run("magnitude_prune", model, *args, **kwargs)
    want = solution.run("magnitude_prune", model, *args, **kwargs)
    expect_close(
        effective(got.args[0]),
        want.args[0],
        name="model after pruning",
        mistakes=mistakes.on(
            lambda m: effective(m.run("magnitude_prune", model, *args, **kwargs).args[0])
        ),
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


@points(12)
def test_global_half(candidate, solution, mistakes, seed):
    same_masks(candidate, solution, mistakes, mlp(seed + 0), 0.5)


@points(8)
def test_global_is_the_default_scope(candidate, solution, mistakes, seed):
    same_masks(candidate, solution, mistakes, mlp(seed + 1), 0.8)


@points(10)
def test_per_layer_scope(candidate, solution, mistakes, seed):
    got = same_masks(candidate, solution, mistakes, mlp(seed + 2), 0.3, scope="layer")
    for name, mask in got.value.items():
        expect_equal(int((~mask).sum()), round(0.3 * mask.numel()), name=f"pruned in {name}")


@points(10)
def test_conv_batchnorm_linear_model(candidate, solution, mistakes, seed):
    got = same_masks(candidate, solution, mistakes, convnet(seed + 3), 0.7)
    expect_equal(sorted(got.value), ["0.weight", "4.weight"], name="masked parameters")


@points(8)
def test_conv_model_per_layer(candidate, solution, mistakes, seed):
    same_masks(candidate, solution, mistakes, convnet(seed + 4), 0.45, scope="layer")


@points(5)
def test_sparsity_zero_changes_nothing(candidate, solution, mistakes, seed):
    model = convnet(seed + 5)
    got = same_masks(candidate, solution, mistakes, model, 0.0)
    expect_close(
        effective(got.args[0]), dict(model.state_dict()), name="model after pruning with sparsity 0"
    )


@points(5)
def test_sparsity_one_removes_every_weight(candidate, solution, mistakes, seed):
    model = mlp(seed + 6)
    got = same_masks(candidate, solution, mistakes, model, 1.0)
    state = effective(got.args[0])
    for name in ("0.weight", "2.weight", "4.weight"):
        expect(not bool(got.value[name].any()), f"mask of {name} keeps something at sparsity 1")
        expect(
            bool((state[name] == 0).all()),
            f"{name} is not all zero at sparsity 1",
            hint=mistakes.hint("model_not_changed"),  # the masks were right: not applied
        )
    for name in ("0.bias", "4.bias"):
        expect_close(state[name], dict(model.state_dict())[name], name=f"{name} (untouched)")


@points(7)
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
    state = effective(out.args[0])
    for k, m in masks.items():
        expect(
            bool(m.all()) or not torch.equal(state[k], before[k]),
            f"{k} is unchanged although its mask prunes {int((~m).sum())} entries",
            hint=mistakes.hint("model_not_changed"),
        )
        expect_close(state[k], before[k] * m, name=f"{k} after pruning (= weight * mask)")


def check_count(candidate, mistakes, model, sparsity, scope, want):
    masks = candidate.magnitude_prune(model, sparsity, scope=scope)
    names = [k for k in dict(model.state_dict()) if k.endswith("weight")]
    check_masks(masks, dict(model.state_dict()), names)
    pruned = tuple(int((~masks[k]).sum()) for k in names)
    expect(
        pruned == want,
        f"{pruned} weights pruned ({scope}) at sparsity {sparsity}; expected {want} (rounded)",
        hint=mistakes.hint("floor_count") if sum(pruned) < sum(want) else None,
    )


@points(4)
def test_count_is_rounded_not_truncated(candidate, mistakes, seed):
    """round(0.29 * 100) = 29, where int() gives 28."""
    torch.manual_seed(seed + 8)
    model = nn.Sequential(nn.Linear(10, 10, bias=False))
    check_count(candidate, mistakes, model, 0.29, "global", (29,))


@points(4)
def test_per_layer_count_is_rounded(candidate, mistakes, seed):
    """Per layer: round(0.29 * 100) = 29 and round(0.29 * 30) = round(8.7) = 9."""
    torch.manual_seed(seed + 11)
    model = nn.Sequential(nn.Linear(10, 10, bias=False), nn.Linear(10, 3, bias=False))
    check_count(candidate, mistakes, model, 0.29, "layer", (29, 9))


@points(7)
def test_model_is_pruned_in_place(candidate, solution, mistakes, seed):
    same_model(candidate, solution, mistakes, mlp(seed + 12), 0.6)


@points(7)
def test_conv_model_pruned_in_place_normalisation_untouched(candidate, solution, mistakes, seed):
    model = convnet(seed + 13)
    got = same_model(candidate, solution, mistakes, model, 0.7, scope="layer")
    before, after = dict(model.state_dict()), effective(got.args[0])
    for key in ("0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "4.bias"):
        expect_close(after[key], before[key], name=f"{key} (must be untouched)")
    expect_equal(after["1.num_batches_tracked"], before["1.num_batches_tracked"])


def check_plain_weights(candidate, mistakes, model, *args, **kwargs):
    out = candidate.run("magnitude_prune", model, *args, **kwargs)
    keys = sorted(out.args[0])
    expect(
        keys == sorted(model.state_dict()),
        f"the model's state_dict keys changed to {keys}",
        hint=mistakes.hint("hooks_left") if any(k.endswith("_orig") for k in keys) else None,
    )


@points(4)
def test_no_pruning_reparametrisation_left(candidate, mistakes, seed):
    check_plain_weights(candidate, mistakes, convnet(seed + 9), 0.5)


@points(3)
def test_no_reparametrisation_left_per_layer(candidate, mistakes, seed):
    check_plain_weights(candidate, mistakes, mlp(seed + 14), 0.4, scope="layer")


@points(3)
def test_sparsity_outside_the_unit_interval_raises(candidate, mistakes, seed):
    model = mlp(seed + 10)
    hint = mistakes.hint("no_validation")
    for sparsity in (1.5, -0.1):
        expect_raises(
            ValueError,
            lambda s=sparsity: candidate.magnitude_prune(model, s),
            name=f"sparsity {sparsity}",
            hint=hint,
        )


@points(3)
def test_unknown_scope_raises(candidate, mistakes, seed):
    expect_raises(
        ValueError,
        lambda: candidate.magnitude_prune(mlp(seed + 15), 0.5, scope="neuron"),
        name='scope="neuron"',
        hint=mistakes.hint("no_validation"),
    )

"""Hidden tests: deep and shallow MLPs at several amounts (exact states: random rows do not
tie), the function the pruned model computes (against the original with the removed units
zeroed, worked out here from the returned rows), the rounded and capped count, ties, the
output layer left whole, float64 and bias-free layers, invalid arguments, and that the input
model is left as it was."""

import copy
import itertools

import torch
from torch import nn

from judge.testing import TestFailed, expect, expect_close, expect_equal, expect_raises


def mlp(seed: int, sizes: list[int], act=nn.ReLU, bias=True, dtype=torch.float32):
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, bias=bias, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def shapes(state):
    return {k: tuple(v.shape) for k, v in state.items()}


def same_as_solution(candidate, solution, mistakes, model, amount):
    got = candidate.run("prune_neurons", model, amount)
    want = solution.prune_neurons(model, amount)
    expect(isinstance(got.value, dict), "prune_neurons must return an nn.Sequential")
    expect_equal(
        shapes(got.value),
        shapes(want),
        name="parameter shapes of the pruned model",
        mistakes=mistakes.on(lambda m: shapes(m.prune_neurons(model, amount))),
    )
    expect_close(
        got.value,
        want,
        rtol=0,
        atol=0,
        name="pruned model",
        mistakes=mistakes.on(lambda m: m.prune_neurons(model, amount)),
    )
    return got


def rebuilt(model: nn.Sequential, state: dict) -> nn.Sequential:
    """``model``'s layers, each Linear resized to the shapes in ``state`` and loaded."""
    layers = []
    for i, layer in enumerate(model):
        if isinstance(layer, nn.Linear):
            out_f, in_f = state[f"{i}.weight"].shape
            dtype = layer.weight.dtype
            layer = nn.Linear(in_f, out_f, bias=layer.bias is not None, dtype=dtype)
        layers.append(layer)
    new = nn.Sequential(*layers)
    new.load_state_dict(state)
    return new


def kept_units(model: nn.Sequential, state: dict) -> dict[int, list[int]]:
    """For each hidden Linear, the original units whose (row, bias) the pruned state kept,
    matched in order (kept units keep their order), columns restricted to the previous kept."""
    linears = [i for i, layer in enumerate(model) if isinstance(layer, nn.Linear)]
    kept: dict[int, list[int]] = {}
    cols = list(range(model[linears[0]].in_features))
    for i in linears[:-1]:
        layer, new_w = model[i], state[f"{i}.weight"]
        new_b = state.get(f"{i}.bias")
        keep, j = [], 0
        for u in range(layer.out_features):
            if j == len(new_w):
                break
            same = bool(torch.equal(layer.weight.detach()[u, cols], new_w[j]))
            if same and new_b is not None:
                same = bool(torch.equal(layer.bias.detach()[u], new_b[j]))
            if same:
                keep.append(u)
                j += 1
        expect(j == len(new_w), f"layer {i}: a kept row is not a row of the original layer")
        kept[i] = cols = keep
    return kept


def zeroed_original(model: nn.Sequential, state: dict) -> nn.Sequential:
    """The original with every unit that the pruned state removed zeroed (row and bias)."""
    zeroed = copy.deepcopy(model)
    with torch.no_grad():
        for i, keep in kept_units(model, state).items():
            removed = [u for u in range(model[i].out_features) if u not in keep]
            zeroed[i].weight[removed] = 0
            if zeroed[i].bias is not None:
                zeroed[i].bias[removed] = 0
    return zeroed


def check_function(model, state, x):
    with torch.no_grad():
        got = rebuilt(model, state)(x)
        want = zeroed_original(model, state)(x)
    expect_close(got, want, name="output of the pruned model (vs the original, units zeroed)")


def test_three_hidden_layers_half(candidate, solution, mistakes):
    model = mlp(0, [12, 16, 10, 8, 3])
    got = same_as_solution(candidate, solution, mistakes, model, 0.5)
    check_function(model, got.value, torch.randn(6, 12))


def test_tanh_quarter(candidate, solution, mistakes):
    model = mlp(1, [9, 12, 12, 4], act=nn.Tanh)
    got = same_as_solution(candidate, solution, mistakes, model, 0.25)
    check_function(model, got.value, torch.randn(5, 9))


def test_float64_without_biases(candidate, solution, mistakes):
    model = mlp(2, [7, 10, 6, 2], bias=False, dtype=torch.float64)
    got = same_as_solution(candidate, solution, mistakes, model, 0.4)
    expect(got.value["0.weight"].dtype == torch.float64, "the dtype of the model changed")
    check_function(model, got.value, torch.randn(4, 7, dtype=torch.float64))


def test_count_is_rounded(candidate, solution, mistakes):
    """h = 10 at 0.29 removes round(2.9) = 3; h = 6 at 0.42 removes round(2.52) = 3."""
    model = mlp(3, [5, 10, 6, 2])
    got = same_as_solution(candidate, solution, mistakes, model, 0.29)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (7, 4),
        name="units kept in the hidden layers at amount 0.29",
    )
    got = same_as_solution(candidate, solution, mistakes, model, 0.42)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (6, 3),
        name="units kept in the hidden layers at amount 0.42",
    )


def test_a_layer_is_never_pruned_to_zero(candidate, solution, mistakes):
    for amount, model in ((1.0, mlp(4, [6, 8, 3, 2])), (0.9, mlp(5, [4, 4, 2, 3]))):
        got = same_as_solution(candidate, solution, mistakes, model, amount)
        expect_equal(
            (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
            (1, 1),
            name=f"units kept at amount {amount}",
        )


def test_output_layer_is_never_pruned(candidate, solution, mistakes):
    model = mlp(6, [8, 8, 5])
    got = same_as_solution(candidate, solution, mistakes, model, 0.6)
    expect_equal(got.value["2.weight"].shape[0], 5, name="outputs of the last layer")
    expect_close(got.value["2.bias"], model[2].bias.detach(), name="the output layer's bias")


def tied_model(seed: int) -> nn.Sequential:
    """Integer weights in {-1, 0, 1}: many hidden units share an L1 norm."""
    model = mlp(seed, [4, 10, 6, 2])
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                layer.weight.copy_(torch.randint(-1, 2, layer.weight.shape, generator=g))
    return model


def test_ties_keep_the_smaller_index(candidate, solution, mistakes):
    for seed in (7, 8):
        model = tied_model(seed)
        got = same_as_solution(candidate, solution, mistakes, model, 0.5)
        check_function(model, got.value, torch.randn(3, 4))


def test_scores_come_from_the_original_model(candidate, solution, mistakes):
    """Slicing layer 1's columns before scoring layer 2 would change layer 2's scores."""
    model = mlp(9, [6, 12, 12, 12, 3])
    with torch.no_grad():
        model[2].weight[:, :6] *= 4.0  # the columns most likely to be removed carry weight
    same_as_solution(candidate, solution, mistakes, model, 0.5)
    same_as_solution(candidate, solution, mistakes, mlp(10, [5, 9, 9, 9, 2]), 0.7)


def test_model_is_not_modified(candidate, mistakes):
    for model in (mlp(11, [6, 8, 4]), mlp(12, [3, 5, 5, 2], act=nn.Tanh)):
        before = {k: v.clone() for k, v in model.state_dict().items()}
        after = candidate.run("prune_neurons", model, 0.5).args[0]
        same = shapes(after) == shapes(before) and all(
            bool(torch.equal(after[k], before[k])) for k in before
        )
        expect(same, "the input model was changed", hint=mistakes.hint("prunes_in_place"))


def test_invalid_arguments_raise(candidate, mistakes):
    model = mlp(13, [4, 6, 2])
    with_norm = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    try:
        expect_raises(ValueError, lambda: candidate.prune_neurons(model, -0.1))
        expect_raises(ValueError, lambda: candidate.prune_neurons(model, 1.5))
        expect_raises(ValueError, lambda: candidate.prune_neurons(with_norm, 0.5))
    except TestFailed as failure:
        raise TestFailed(failure.args[0], hint=mistakes.hint("no_validation")) from None

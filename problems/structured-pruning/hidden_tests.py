"""Hidden tests: deep and shallow MLPs at several amounts (exact states: random rows do not
tie), the function the pruned model computes (against the original with the removed units
zeroed, worked out here from the returned rows), the rounded and capped count, ties, the
output layer left whole, float64 and bias-free layers, invalid arguments, and that the input
model is left as it was.

Weights come from the per-grade ``seed``, drawn heavy-tailed (a few large entries in some
rows, many small ones in others) so that an L2 or an outgoing-weight ranking differs from the
L1 one on every draw. Points follow the clause: the ranking and the slicing weigh most; the
count's rounding and cap, validation and leaving the model whole least."""

import copy
import itertools

import torch
from torch import nn

from judge.testing import (
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def mlp(seed: int, sizes: list[int], act=nn.ReLU, bias=True, dtype=torch.float32):
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, bias=bias, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(act())
    with torch.no_grad():  # heavy tails: L1, L2 and column rankings disagree
        for layer in layers:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(torch.exp(1.5 * torch.randn(layer.weight.shape, dtype=dtype)))
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


@points(12)
def test_three_hidden_layers_half(candidate, solution, mistakes, seed):
    model = mlp(seed, [12, 16, 10, 8, 3])
    got = same_as_solution(candidate, solution, mistakes, model, 0.5)
    check_function(model, got.value, torch.randn(6, 12))


@points(10)
def test_tanh_quarter(candidate, solution, mistakes, seed):
    model = mlp(seed + 1, [9, 12, 12, 4], act=nn.Tanh)
    got = same_as_solution(candidate, solution, mistakes, model, 0.25)
    check_function(model, got.value, torch.randn(5, 9))


@points(8)
def test_float64_without_biases(candidate, solution, mistakes, seed):
    model = mlp(seed + 2, [7, 10, 6, 2], bias=False, dtype=torch.float64)
    got = same_as_solution(candidate, solution, mistakes, model, 0.4)
    expect(got.value["0.weight"].dtype == torch.float64, "the dtype of the model changed")
    check_function(model, got.value, torch.randn(4, 7, dtype=torch.float64))


@points(10)
def test_scores_come_from_the_original_model(candidate, solution, mistakes, seed):
    """Layer 0's weakest units (rows shrunk here) have large columns in layer 2: slicing them
    out before scoring layer 2 changes its ranking."""
    model = mlp(seed + 9, [6, 12, 12, 12, 3])
    with torch.no_grad():
        model[0].weight[:6] *= 0.01  # units 0..5 of layer 0 go at amount 0.5
        model[2].weight[:, :6] *= 3.0 * torch.rand(12, 1) ** 2  # their columns, uneven
    same_as_solution(candidate, solution, mistakes, model, 0.5)


@points(8)
def test_scores_from_the_original_model_deeper(candidate, solution, mistakes, seed):
    same_as_solution(candidate, solution, mistakes, mlp(seed + 10, [5, 9, 9, 9, 2]), 0.7)


@points(6)
def test_count_is_rounded(candidate, solution, mistakes, seed):
    """h = 10 at 0.29 removes round(2.9) = 3; h = 6 at 0.29 removes round(1.74) = 2."""
    model = mlp(seed + 3, [5, 10, 6, 2])
    got = same_as_solution(candidate, solution, mistakes, model, 0.29)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (7, 4),
        name="units kept in the hidden layers at amount 0.29",
    )


@points(6)
def test_count_is_rounded_up_past_a_half(candidate, solution, mistakes, seed):
    """h = 10 at 0.42 removes round(4.2) = 4; h = 6 at 0.42 removes round(2.52) = 3."""
    model = mlp(seed + 4, [5, 10, 6, 2])
    got = same_as_solution(candidate, solution, mistakes, model, 0.42)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (6, 3),
        name="units kept in the hidden layers at amount 0.42",
    )


@points(4)
def test_amount_one_keeps_one_unit(candidate, solution, mistakes, seed):
    model = mlp(seed + 5, [6, 8, 3, 2])
    got = same_as_solution(candidate, solution, mistakes, model, 1.0)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (1, 1),
        name="units kept at amount 1.0",
    )


@points(4)
def test_a_small_layer_is_never_pruned_to_zero(candidate, solution, mistakes, seed):
    """h = 2 at 0.9: round(1.8) = 2 is capped at 1."""
    model = mlp(seed + 6, [4, 4, 2, 3])
    got = same_as_solution(candidate, solution, mistakes, model, 0.9)
    expect_equal(
        (got.value["0.weight"].shape[0], got.value["2.weight"].shape[0]),
        (1, 1),
        name="units kept at amount 0.9",
    )


@points(6)
def test_output_layer_is_never_pruned(candidate, solution, mistakes, seed):
    model = mlp(seed + 7, [8, 8, 5])
    got = same_as_solution(candidate, solution, mistakes, model, 0.6)
    expect_equal(got.value["2.weight"].shape[0], 5, name="outputs of the last layer")
    expect_close(got.value["2.bias"], model[2].bias.detach(), name="the output layer's bias")


def tied_model(seed: int) -> nn.Sequential:
    """Rows of entries in {-1, 0, 1}: in each hidden layer a third of the units (at random
    positions) have L1 norm 2, the rest 3, so at amount 0.5 the cut falls inside the tie."""
    model = mlp(seed, [4, 10, 6, 2])
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in (model[0], model[2]):
            h, n = layer.weight.shape
            norms = torch.full((h,), 3)
            norms[torch.randperm(h, generator=g)[: h // 3]] = 2
            w = torch.zeros(h, n)
            for row, norm in enumerate(norms.tolist()):
                where = torch.randperm(n, generator=g)[:norm]
                w[row, where] = torch.randint(0, 2, (norm,), generator=g) * 2.0 - 1.0
            layer.weight.copy_(w)
    return model


@points(6)
def test_ties_keep_the_smaller_index(candidate, solution, mistakes, seed):
    model = tied_model(seed + 11)
    got = same_as_solution(candidate, solution, mistakes, model, 0.5)
    check_function(model, got.value, torch.randn(3, 4))


@points(6)
def test_all_scores_tied(candidate, solution, mistakes, seed):
    """Every row of layer 0 has L1 norm 4 (signs drawn): the first units stay."""
    model = mlp(seed + 12, [4, 8, 3])
    g = torch.Generator().manual_seed(seed + 12)
    with torch.no_grad():
        model[0].weight.copy_(torch.randint(0, 2, (8, 4), generator=g) * 2.0 - 1.0)
    got = same_as_solution(candidate, solution, mistakes, model, 0.25)
    expect_close(
        got.value["0.weight"], model[0].weight.detach()[:6], name="0.weight (units 0..5 kept)"
    )


@points(4)
def test_model_is_not_modified(candidate, mistakes, seed):
    model = mlp(seed + 13, [6, 8, 4])
    expect_inputs_unchanged(candidate, "prune_neurons", model, 0.5, mistakes=mistakes)


@points(4)
def test_deeper_tanh_model_is_not_modified(candidate, mistakes, seed):
    model = mlp(seed + 14, [3, 5, 5, 2], act=nn.Tanh)
    expect_inputs_unchanged(candidate, "prune_neurons", model, 0.3, mistakes=mistakes)


@points(3)
def test_amount_outside_the_unit_interval_raises(candidate, mistakes, seed):
    model = mlp(seed + 15, [4, 6, 2])
    hint = mistakes.hint("no_validation")
    for amount in (-0.1, 1.5):
        expect_raises(ValueError, lambda a=amount: candidate.prune_neurons(model, a), hint=hint)


@points(3)
def test_a_layer_with_parameters_between_raises(candidate, mistakes, seed):
    torch.manual_seed(seed + 16)
    with_norm = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    expect_raises(
        ValueError,
        lambda: candidate.prune_neurons(with_norm, 0.5),
        name="a BatchNorm1d between the layers",
        hint=mistakes.hint("no_validation"),
    )

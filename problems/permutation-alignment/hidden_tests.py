"""Hidden tests, on MLPs drawn from the per-grade ``seed``, two for each clause: permuted copies
recovered (also with noise), independent models matched as the reference does, the function
of B preserved, the bias in the score, layers without bias, float64, no hidden layer,
ValueError cases, and both models left unchanged with no result aliasing them.

Points follow the clause: the matching itself (the score, the assignment, the permutation
applied to rows, bias and next layer's columns) weighs most. Both models being left as they
were is checked from the child's account of the call: the entry point is also called again
on the same objects, but permuting B in place is invisible to that second call (aligning a
permuted copy of B gives the same answer), so that mistake is found by the first check."""

import itertools

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_inputs_unchanged, expect_raises, points

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


def mlp(widths, seed, act="relu", bias=True, dtype=torch.float32):
    torch.manual_seed(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        if i < len(widths) - 2:
            layers.append(ACTIVATIONS[act]())
    return nn.Sequential(*layers).to(dtype)


def permuted_copy(model, seed, noise=0.0):
    """``model`` with every hidden layer's units shuffled (the same function), plus noise."""
    g = torch.Generator().manual_seed(seed)
    out = {k: v.detach().clone() for k, v in model.state_dict().items()}
    linears = [str(i) for i, m in enumerate(model) if isinstance(m, nn.Linear)]
    for here, after in itertools.pairwise(linears):
        perm = torch.randperm(out[f"{here}.weight"].shape[0], generator=g)
        out[f"{here}.weight"] = out[f"{here}.weight"][perm]
        if f"{here}.bias" in out:
            out[f"{here}.bias"] = out[f"{here}.bias"][perm]
        out[f"{after}.weight"] = out[f"{after}.weight"][:, perm]
    copy = mlp_like(model)
    copy.load_state_dict(out)
    with torch.no_grad():
        for p in copy.parameters():
            p.add_(noise * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return copy


def mlp_like(model):
    clone = nn.Sequential(*[type(m)(m.in_features, m.out_features, bias=m.bias is not None)
                            if isinstance(m, nn.Linear) else type(m)() for m in model])  # fmt: skip
    return clone.to(next(model.parameters()).dtype)


def check(candidate, solution, mistakes, a, b, name):
    got = candidate.align_mlp(a, b)
    expect_close(
        got, solution.align_mlp(a, b), name=name, mistakes=mistakes.on(lambda m: m.align_mlp(a, b))
    )
    return got


# -- the matching -------------------------------------------------------------------------
@points(10)
def test_a_permuted_copy_with_three_hidden_layers_is_recovered(candidate, solution, mistakes, seed):
    a = mlp((5, 8, 7, 6, 3), seed, "tanh")
    got = check(candidate, solution, mistakes, a, permuted_copy(a, seed + 1), "aligned B")
    expect_close(got, dict(a.state_dict()), name="permuted copy of A, aligned to A")


@points(10)
def test_a_noisy_permuted_copy_is_recovered(candidate, solution, mistakes, seed):
    a = mlp((6, 10, 9, 4), seed + 2)
    got = check(candidate, solution, mistakes, a, permuted_copy(a, seed + 3, noise=0.01), "B")
    for k, v in a.state_dict().items():
        err = float((got[k] - v).abs().max())
        expect(err < 0.06, f"{k}: aligned noisy copy differs from A by {err:.3g} (noise 0.01)")


@points(9)
def test_independent_relu_models_are_matched(candidate, solution, mistakes, seed):
    a, b = mlp((4, 12, 3), seed + 4), mlp((4, 12, 3), seed + 5)
    check(candidate, solution, mistakes, a, b, "aligned B (4-12-3, relu)")


@points(9)
def test_independent_deep_gelu_models_are_matched(candidate, solution, mistakes, seed):
    widths = (7, 9, 11, 8, 2)
    a, b = mlp(widths, seed + 6, "gelu"), mlp(widths, seed + 7, "gelu")
    check(candidate, solution, mistakes, a, b, f"aligned B ({widths}, gelu)")


# -- the function of B --------------------------------------------------------------------
def same_function(candidate, mistakes, a, b, x, name):
    got = candidate.align_mlp(a, b)
    aligned = mlp_like(b)
    aligned.load_state_dict(got)
    with torch.no_grad():
        expect_close(
            aligned(x),
            b(x),
            name=f"{name}: output of aligned B vs output of B",
            mistakes=mistakes.on(lambda m: load_and_run(m.align_mlp(a, b), b, x)),
        )


def load_and_run(state, like, x):
    model = mlp_like(like)
    model.load_state_dict(state)
    with torch.no_grad():
        return model(x)


@points(6)
def test_the_aligned_relu_model_computes_the_same_function(candidate, mistakes, seed):
    x = torch.randn(16, 5, generator=torch.Generator().manual_seed(seed + 8))
    a, b = mlp((5, 8, 8, 3), seed + 9), mlp((5, 8, 8, 3), seed + 10)
    same_function(candidate, mistakes, a, b, x, "ReLU 5-8-8-3")


@points(6)
def test_the_aligned_tanh_model_computes_the_same_function(candidate, mistakes, seed):
    x = torch.randn(16, 5, generator=torch.Generator().manual_seed(seed + 11))
    a, b = mlp((5, 6, 7, 6, 2), seed + 12, "tanh"), mlp((5, 6, 7, 6, 2), seed + 13, "tanh")
    same_function(candidate, mistakes, a, b, x, "Tanh 5-6-7-6-2")


# -- the bias -----------------------------------------------------------------------------
def two_unit_pair(bias_a, bias_b, c):
    """A = identity layer, B = [[0, 2], [3, 0]] (all scaled by c > 0): the weights alone favour
    swapping (5 vs 0)."""
    a = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    b = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    with torch.no_grad():
        a[0].weight.copy_(c * torch.eye(2))
        b[0].weight.copy_(c * torch.tensor([[0.0, 2.0], [3.0, 0.0]]))
        a[0].bias.copy_(c * torch.tensor(bias_a))
        b[0].bias.copy_(c * torch.tensor(bias_b))
        a[2].weight.fill_(1.0)
        a[2].bias.fill_(c)
        b[2].weight.copy_(torch.tensor([[5.0, 7.0]]))
        b[2].bias.fill_(-c)
    return a, b


@points(4)
def test_the_bias_can_keep_the_order(candidate, solution, mistakes, seed):
    c = 0.5 + (seed % 89) / 89  # every score scales by c * c: the same decision
    a, b = two_unit_pair([4.0, 0.0], [3.0, 0.0], c)  # outer(b_a, b_b) adds 12 to keeping: 12 > 5
    got = check(candidate, solution, mistakes, a, b, "aligned B (bias 4, 0 vs 3, 0)")
    expect_close(got["2.weight"], torch.tensor([[5.0, 7.0]]), name="output weight (no swap)")


def bias_heavy(widths, seed):
    """Biases four times their usual size: the bias term decides most of the assignment."""
    model = mlp(widths, seed)
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Linear):
                m.bias.mul_(4.0)
    return model


@points(4)
def test_the_bias_moves_with_its_unit(candidate, solution, mistakes, seed):
    a, b = bias_heavy((5, 10, 6, 3), seed + 30), bias_heavy((5, 10, 6, 3), seed + 31)
    check(candidate, solution, mistakes, a, b, "aligned B (large biases)")
    c = 0.5 + (seed % 83) / 83
    a, b = two_unit_pair([0.0, 2.0], [3.0, -1.0], c)  # S = [[0, 3], [8, -2]] c^2: swap (11 > -2)
    got = check(candidate, solution, mistakes, a, b, "aligned B (bias 0, 2 vs 3, -1)")
    expect_close(got["0.bias"], c * torch.tensor([-1.0, 3.0]), name="hidden bias (swapped)")


@points(4)
def test_layers_without_bias(candidate, solution, mistakes, seed):
    a, b = mlp((4, 7, 3), seed + 14, bias=False), mlp((4, 7, 3), seed + 15, bias=False)
    check(candidate, solution, mistakes, a, b, "aligned B (no bias, 4-7-3)")


@points(4)
def test_deeper_layers_without_bias(candidate, solution, mistakes, seed):
    a, b = mlp((3, 6, 5, 2), seed + 16, bias=False), mlp((3, 6, 5, 2), seed + 17, bias=False)
    check(candidate, solution, mistakes, a, b, "aligned B (no bias, 3-6-5-2)")
    x = torch.randn(8, 3, generator=torch.Generator().manual_seed(seed + 18))
    same_function(candidate, mistakes, a, b, x, "no bias")


# -- dtypes and shapes --------------------------------------------------------------------
@points(4)
def test_wide_float64_layers(candidate, solution, mistakes, seed):
    a = mlp((10, 48, 40, 5), seed + 19, dtype=torch.float64)
    b = mlp((10, 48, 40, 5), seed + 20, dtype=torch.float64)
    got = check(candidate, solution, mistakes, a, b, "aligned B (float64, widths 48 and 40)")
    expect(all(v.dtype == torch.float64 for v in got.values()), "float64 tensors came back cast")


@points(4)
def test_a_float64_permuted_copy(candidate, solution, mistakes, seed):
    a = mlp((4, 9, 6, 3), seed + 21, "tanh", dtype=torch.float64)
    got = check(candidate, solution, mistakes, a, permuted_copy(a, seed + 22), "aligned B")
    expect(all(v.dtype == torch.float64 for v in got.values()), "float64 tensors came back cast")
    expect_close(got, dict(a.state_dict()), name="permuted float64 copy of A, aligned to A")


@points(3)
def test_no_hidden_layer_returns_a_copy_of_b(candidate, solution, mistakes, seed):
    a, b = mlp((4, 3), seed + 23), mlp((4, 3), seed + 24)
    got = check(candidate, solution, mistakes, a, b, "aligned B (no hidden layer)")
    expect_close(got, dict(b.state_dict()), name="B unchanged")


@points(3)
def test_a_single_linear_with_an_activation(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 25)
    a = nn.Sequential(nn.Linear(5, 2), nn.ReLU())
    b = nn.Sequential(nn.Linear(5, 2), nn.ReLU())
    got = check(candidate, solution, mistakes, a, b, "aligned B (Linear + ReLU)")
    expect_close(got, dict(b.state_dict()), name="B unchanged")


# -- invalid inputs -----------------------------------------------------------------------
@points(3)
def test_different_architectures_raise(candidate, mistakes, seed):
    hint = mistakes.hint("no_validation")
    cases = [
        ("different widths", mlp((4, 6, 2), seed), mlp((4, 7, 2), seed + 1)),
        ("different depths", mlp((4, 6, 2), seed), mlp((4, 6, 6, 2), seed + 1)),
    ]
    for what, a, b in cases:
        expect_raises(ValueError, lambda a=a, b=b: candidate.align_mlp(a, b), name=what, hint=hint)


@points(3)
def test_layers_other_than_linear_with_state_raise(candidate, mistakes, seed):
    hint = mistakes.hint("no_validation")
    torch.manual_seed(seed)
    cases = [
        (
            "a BatchNorm1d layer",
            nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2)),
            nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2)),
        ),
        (
            "a LayerNorm layer",
            nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 2)),
            nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 2)),
        ),
    ]
    for what, a, b in cases:
        expect_raises(ValueError, lambda a=a, b=b: candidate.align_mlp(a, b), name=what, hint=hint)


# -- inputs ----------------------------------------------------------------------------------
@points(7)
def test_models_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    a, b = mlp((5, 6, 4, 3), seed + 26), mlp((5, 6, 4, 3), seed + 27)
    expect_inputs_unchanged(
        candidate, "align_mlp", a, b, mistakes=mistakes, new_tensors=True, reference=solution
    )


@points(7)
def test_tanh_models_unchanged_and_not_aliased(candidate, solution, mistakes, seed):
    a, b = mlp((4, 7, 5, 2), seed + 28, "tanh"), mlp((4, 7, 5, 2), seed + 29, "tanh")
    expect_inputs_unchanged(
        candidate, "align_mlp", a, b, mistakes=mistakes, new_tensors=True, reference=solution
    )

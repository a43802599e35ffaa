"""Hidden tests: permuted copies recovered (one and three hidden layers, also with noise),
independent models matched as the reference does, the function of B preserved, layers
without bias, float64, no hidden layer, ValueError cases, and both models left untouched
with no result aliasing them."""

import itertools

import torch
from torch import nn

from judge.testing import Probe, expect, expect_close, expect_raises

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


def test_a_permuted_copy_with_three_hidden_layers_is_recovered(candidate, solution, mistakes):
    a = mlp((5, 8, 7, 6, 3), 1, "tanh")
    got = check(candidate, solution, mistakes, a, permuted_copy(a, 2), "aligned B")
    expect_close(got, dict(a.state_dict()), name="permuted copy of A, aligned to A")


def test_a_noisy_permuted_copy_is_recovered(candidate, solution, mistakes):
    a = mlp((6, 10, 9, 4), 3)
    got = check(candidate, solution, mistakes, a, permuted_copy(a, 4, noise=0.01), "aligned B")
    for k, v in a.state_dict().items():
        err = float((got[k] - v).abs().max())
        expect(err < 0.06, f"{k}: aligned noisy copy differs from A by {err:.3g} (noise 0.01)")


def test_independent_models_are_matched(candidate, solution, mistakes):
    for widths, seeds, act in (((4, 12, 3), (5, 6), "relu"), ((7, 9, 11, 8, 2), (7, 8), "gelu")):
        a, b = mlp(widths, seeds[0], act), mlp(widths, seeds[1], act)
        check(candidate, solution, mistakes, a, b, f"aligned B ({widths}, {act})")


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


def test_the_aligned_model_computes_the_same_function(candidate, mistakes):
    torch.manual_seed(9)
    x = torch.randn(16, 5)
    a, b = mlp((5, 8, 8, 3), 10), mlp((5, 8, 8, 3), 11)
    same_function(candidate, mistakes, a, b, x, "ReLU 5-8-8-3")
    a, b = mlp((5, 6, 7, 6, 2), 12, "tanh"), mlp((5, 6, 7, 6, 2), 13, "tanh")
    same_function(candidate, mistakes, a, b, x, "Tanh 5-6-7-6-2")


def test_layers_without_bias(candidate, solution, mistakes):
    for widths, seeds in (((4, 7, 3), (14, 15)), ((3, 6, 5, 2), (16, 17))):
        a, b = mlp(widths, seeds[0], bias=False), mlp(widths, seeds[1], bias=False)
        check(candidate, solution, mistakes, a, b, f"aligned B (no bias, {widths})")
        same_function(candidate, mistakes, a, b, torch.randn(8, widths[0]), "no bias")


def two_unit_pair(bias_a, bias_b):
    """A = identity layer, B = [[0, 2], [3, 0]]: the weights alone favour swapping (5 vs 0)."""
    a = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    b = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    with torch.no_grad():
        a[0].weight.copy_(torch.eye(2))
        b[0].weight.copy_(torch.tensor([[0.0, 2.0], [3.0, 0.0]]))
        a[0].bias.copy_(torch.tensor(bias_a))
        b[0].bias.copy_(torch.tensor(bias_b))
        a[2].weight.fill_(1.0)
        b[2].weight.copy_(torch.tensor([[5.0, 7.0]]))
    return a, b


def test_the_bias_is_part_of_the_score(candidate, solution, mistakes):
    # outer(b_a, b_b) adds 12 to keeping the order (12 + 0 > 3 + 2): no swap
    a, b = two_unit_pair([4.0, 0.0], [3.0, 0.0])
    got = check(candidate, solution, mistakes, a, b, "aligned B (bias 4, 0 vs 3, 0)")
    expect_close(got["2.weight"], torch.tensor([[5.0, 7.0]]), name="output weight (no swap)")
    # S = [[0, 3], [8, -2]]: keeping scores -2, swapping 11; the bias moves with its unit
    a, b = two_unit_pair([0.0, 2.0], [3.0, -1.0])
    got = check(candidate, solution, mistakes, a, b, "aligned B (bias 0, 2 vs 3, -1)")
    expect_close(got["0.bias"], torch.tensor([-1.0, 3.0]), name="hidden bias (swapped)")


def test_wide_float64_layers(candidate, solution, mistakes):
    a = mlp((10, 48, 40, 5), 18, dtype=torch.float64)
    b = mlp((10, 48, 40, 5), 19, dtype=torch.float64)
    got = check(candidate, solution, mistakes, a, b, "aligned B (float64, widths 48 and 40)")
    expect(all(v.dtype == torch.float64 for v in got.values()), "float64 tensors came back cast")


def test_no_hidden_layer_returns_a_copy_of_b(candidate, solution, mistakes):
    for model_a, model_b in (
        (mlp((4, 3), 20), mlp((4, 3), 21)),
        (nn.Sequential(nn.Linear(5, 2), nn.ReLU()), nn.Sequential(nn.Linear(5, 2), nn.ReLU())),
    ):
        got = check(candidate, solution, mistakes, model_a, model_b, "aligned B (no hidden layer)")
        expect_close(got, dict(model_b.state_dict()), name="B unchanged")


def test_invalid_models_raise(candidate, mistakes):
    hint = mistakes.hint("no_validation")
    cases = [
        ("different widths", mlp((4, 6, 2), 0), mlp((4, 7, 2), 1)),
        ("different depths", mlp((4, 6, 2), 0), mlp((4, 6, 6, 2), 1)),
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


def check_safety(candidate, mistakes, a, b):
    outcome = candidate.run("align_mlp", a, b, probe=Probe("input_safety"))
    for i, model in enumerate((a, b)):
        expect_close(
            outcome.args[i],
            dict(model.state_dict()),
            name=f"model_{'ab'[i]} after the call",
            mistakes=mistakes.on(lambda m, i=i: m.run("align_mlp", a, b).args[i]),
        )
    expect(
        outcome.probe["changed"] == [],
        f"the call changed a model: {outcome.probe['changed']}",
        hint=mistakes.hint("permutes_b_in_place"),
    )
    expect(
        outcome.probe["shared"] == [],
        f"returned tensors share memory with a model: {outcome.probe['shared']}",
        hint=mistakes.hint("output_layer_aliased"),
    )


def test_models_untouched_and_not_aliased(candidate, mistakes):
    check_safety(candidate, mistakes, mlp((5, 6, 4, 3), 22), mlp((5, 6, 4, 3), 23))
    check_safety(
        candidate, mistakes, mlp((3, 4, 2), 24, bias=False), mlp((3, 4, 2), 25, bias=False)
    )

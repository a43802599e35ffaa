"""Hidden tests: the product equals the truncated SVD (a factorisation is unique only up to
an invertible r x r matrix, so only the product is compared), the Eckart-Young error,
full rank, rank 1, wide and tall layers, no bias, the bias copy, and invalid ranks."""

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_equal, expect_raises


def linear(seed: int, in_f: int, out_f: int, bias: bool = True) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(in_f, out_f, bias=bias)


def with_spectrum(seed: int, singular_values: list[float], in_f: int, out_f: int) -> nn.Linear:
    """A layer whose weight has exactly these singular values (random singular vectors)."""
    lin = linear(seed, in_f, out_f)
    k = len(singular_values)
    u, _ = torch.linalg.qr(torch.randn(out_f, k, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(in_f, k, dtype=torch.float64))
    with torch.no_grad():
        lin.weight.copy_((u * torch.tensor(singular_values, dtype=torch.float64)) @ v.T)
    return lin


def product(sd):
    return sd["1.weight"] @ sd["0.weight"]


def check(candidate, solution, mistakes, lin, rank):
    got = candidate.low_rank_linear(lin, rank)
    want = solution.low_rank_linear(lin, rank)
    expect(isinstance(got, dict), "low_rank_linear must return an nn.Sequential")
    shapes = {k: tuple(v.shape) for k, v in got.items()}
    want_shapes = {k: tuple(v.shape) for k, v in want.items()}
    expect_equal(
        shapes,
        want_shapes,
        name="parameter shapes of the result",
        mistakes=mistakes.on(
            lambda m: {k: tuple(v.shape) for k, v in m.low_rank_linear(lin, rank).items()}
        ),
    )
    expect_close(
        product(got),
        product(want),
        atol=1e-5,
        name=f"second.weight @ first.weight (rank {rank})",
        mistakes=mistakes.on(lambda m: product(m.low_rank_linear(lin, rank))),
    )
    if "1.bias" in want:
        expect(
            bool(torch.allclose(got["1.bias"], want["1.bias"], rtol=1e-6, atol=1e-7)),
            "the second layer's bias is not the original layer's bias "
            f"(max difference {float((got['1.bias'] - want['1.bias']).abs().max()):.3g})",
            hint=mistakes.hint("bias_not_copied"),
        )
    return got


def test_rank_three_of_a_random_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 0, 12, 8), 3)


def test_wide_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 1, 20, 5), 2)


def test_tall_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 2, 5, 20), 4)


def test_rank_one(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 3, 7, 9), 1)


def test_full_rank_reconstructs_the_weight(candidate, solution, mistakes, seed):
    lin = linear(seed + 4, 6, 9)
    got = check(candidate, solution, mistakes, lin, 6)
    expect_close(product(got), lin.weight.detach(), atol=1e-5, name="full-rank product vs weight")


def test_keeps_the_largest_singular_values(candidate, solution, mistakes, seed):
    lin = with_spectrum(seed + 5, [10.0, 5.0, 1.0, 0.1], in_f=8, out_f=6)
    got = check(candidate, solution, mistakes, lin, 2)
    err = torch.linalg.matrix_norm(product(got).double() - lin.weight.detach().double())
    expect(
        abs(float(err) - (1.0**2 + 0.1**2) ** 0.5) < 1e-4,
        f"||W - W_r||_F = {float(err):.5f}; the best rank-2 error is sqrt(1^2 + 0.1^2) = 1.00499",
    )


def test_layer_without_bias(candidate, solution, mistakes, seed):
    lin = linear(seed + 6, 10, 4, bias=False)
    got = check(candidate, solution, mistakes, lin, 2)
    expect_equal(sorted(got), ["0.weight", "1.weight"], name="parameters (the layer has no bias)")


def test_bias_is_copied_exactly(candidate, solution, mistakes, seed):
    lin = linear(seed + 7, 9, 5)
    got = check(candidate, solution, mistakes, lin, 3)
    expect_equal(got["1.bias"], lin.bias.detach(), name="second layer's bias")


def test_layer_is_not_modified(candidate, seed):
    lin = linear(seed + 8, 6, 6)
    before = dict(lin.state_dict())
    out = candidate.run("low_rank_linear", lin, 2)
    expect_close(out.args[0], before, name="the original layer after the call (must not change)")


def test_invalid_ranks_raise(candidate, mistakes, seed):
    lin = linear(seed + 9, 6, 4)
    hint = mistakes.hint("no_validation")
    for rank in (0, -1, 5):
        expect_raises(
            ValueError,
            lambda rank=rank: candidate.low_rank_linear(lin, rank),
            name=f"rank {rank}",
            hint=hint,
        )

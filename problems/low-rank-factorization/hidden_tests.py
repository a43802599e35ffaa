"""Hidden tests: the product equals the truncated SVD (a factorisation is unique only up to
an invertible r x r matrix, so only the product is compared), the Eckart-Young error,
full rank, rank 1, wide and tall layers, no bias, the bias copy, invalid ranks, and that the
layer is left as it was.

Layers come from the per-grade ``seed``. Points follow the clause: the product (which
singular values, Sigma included, V transposed) weighs most; the bias, validation and leaving
the layer alone least. The value tests compare the shapes and the product only; the bias is
checked in tests of its own."""

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
    return got


def check_bias(candidate, solution, mistakes, lin, rank):
    """The second layer's bias is a copy of the layer's; the first has none."""
    got = candidate.low_rank_linear(lin, rank)
    expect(isinstance(got, dict), "low_rank_linear must return an nn.Sequential")
    want = solution.low_rank_linear(lin, rank)
    expect_equal(
        sorted(got),
        sorted(want),
        name="parameter names",
        mistakes=mistakes.on(lambda m: sorted(m.low_rank_linear(lin, rank))),
    )
    if lin.bias is not None:
        diff = float((got["1.bias"] - lin.bias.detach()).abs().max())
        expect(
            bool(torch.allclose(got["1.bias"], lin.bias.detach(), rtol=1e-6, atol=1e-7)),
            f"the second layer's bias is not the original layer's bias (max difference {diff:.3g})",
            hint=mistakes.hint("bias_not_copied"),
        )
    return got


@points(14)
def test_rank_three_of_a_random_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 0, 12, 8), 3)


@points(9)
def test_wide_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 1, 20, 5), 2)


@points(9)
def test_tall_layer(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 2, 5, 20), 4)


@points(8)
def test_rank_one(candidate, solution, mistakes, seed):
    check(candidate, solution, mistakes, linear(seed + 3, 7, 9), 1)


@points(10)
def test_full_rank_reconstructs_the_weight(candidate, solution, mistakes, seed):
    lin = linear(seed + 4, 6, 9)
    got = check(candidate, solution, mistakes, lin, 6)
    expect_close(product(got), lin.weight.detach(), atol=1e-5, name="full-rank product vs weight")


def check_error(candidate, solution, mistakes, lin, rank, spectrum):
    got = check(candidate, solution, mistakes, lin, rank)
    err = float(torch.linalg.matrix_norm(product(got).double() - lin.weight.detach().double()))
    best = sum(s**2 for s in spectrum[rank:]) ** 0.5
    expect(
        abs(err - best) < 1e-4,
        f"||W - W_r||_F = {err:.5f}; the best rank-{rank} error is {best:.5f} "
        "(the root of the sum of the squared dropped singular values)",
    )


@points(10)
def test_keeps_the_largest_singular_values(candidate, solution, mistakes, seed):
    spectrum = [10.0, 5.0, 1.0, 0.1]
    lin = with_spectrum(seed + 5, spectrum, in_f=8, out_f=6)
    check_error(candidate, solution, mistakes, lin, 2, spectrum)


@points(8)
def test_keeps_the_largest_of_close_singular_values(candidate, solution, mistakes, seed):
    spectrum = [3.0, 2.5, 2.0, 0.5, 0.4, 0.01]
    lin = with_spectrum(seed + 10, spectrum, in_f=7, out_f=11)
    check_error(candidate, solution, mistakes, lin, 3, spectrum)


@points(5)
def test_layer_without_bias(candidate, solution, mistakes, seed):
    lin = linear(seed + 6, 10, 4, bias=False)
    got = check_bias(candidate, solution, mistakes, lin, 2)
    expect_equal(sorted(got), ["0.weight", "1.weight"], name="parameters (the layer has no bias)")


@points(4)
def test_tall_layer_without_bias(candidate, solution, mistakes, seed):
    check_bias(candidate, solution, mistakes, linear(seed + 11, 3, 9, bias=False), 3)


@points(5)
def test_bias_is_copied_exactly(candidate, solution, mistakes, seed):
    lin = linear(seed + 7, 9, 5)
    got = check_bias(candidate, solution, mistakes, lin, 3)
    expect_equal(got["1.bias"], lin.bias.detach(), name="second layer's bias")


@points(4)
def test_bias_of_a_large_layer_is_copied(candidate, solution, mistakes, seed):
    lin = linear(seed + 12, 16, 24)
    with torch.no_grad():
        lin.bias.mul_(100.0)  # far from anything a product of factors would give
    check_bias(candidate, solution, mistakes, lin, 5)


@points(4)
def test_layer_is_not_modified(candidate, mistakes, seed):
    expect_inputs_unchanged(
        candidate, "low_rank_linear", linear(seed + 8, 6, 6), 2, mistakes=mistakes
    )


@points(4)
def test_layer_without_bias_is_not_modified(candidate, mistakes, seed):
    lin = linear(seed + 13, 9, 4, bias=False)
    expect_inputs_unchanged(candidate, "low_rank_linear", lin, 4, mistakes=mistakes)


@points(3)
def test_rank_below_one_raises(candidate, mistakes, seed):
    lin = linear(seed + 9, 6, 4)
    hint = mistakes.hint("no_validation")
    for rank in (0, -1):
        expect_raises(
            ValueError,
            lambda rank=rank: candidate.low_rank_linear(lin, rank),
            name=f"rank {rank}",
            hint=hint,
        )


@points(3)
def test_rank_above_the_layers_raises(candidate, mistakes, seed):
    hint = mistakes.hint("no_validation")
    for (in_f, out_f), rank in (((6, 4), 5), ((3, 8), 4)):
        lin = linear(seed + 14, in_f, out_f)
        expect_raises(
            ValueError,
            lambda lin=lin, rank=rank: candidate.low_rank_linear(lin, rank),
            name=f"rank {rank} of a {in_f} -> {out_f} layer",
            hint=hint,
        )

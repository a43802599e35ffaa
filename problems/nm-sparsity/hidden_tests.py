"""Hidden tests: 2:4, 1:4 and 4:8 on random weights (exact masks: random floats do not tie),
exactly n kept per group with the largest magnitudes, ties (earlier index wins), trailing
partial groups of every length, 1-D, 3-D and float64 inputs, the defaults, n = m, invalid
arguments, and that the weight is left as it was.

Weights come from the per-grade ``seed``. Points follow the clause: groups along the last
dimension ranked by magnitude weigh most; ties and partial groups less; leaving the weight
alone and validation least."""

import torch

from judge.testing import expect, expect_equal, expect_inputs_unchanged, expect_raises, points


def weight(seed: int, *shape: int, dtype=torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)).to(dtype)


def tied_weight(seed: int, *shape: int) -> torch.Tensor:
    """Magnitudes from {0, 1, 2} with random signs: many ties inside every group."""
    g = torch.Generator().manual_seed(seed)
    sign = torch.randint(0, 2, shape, generator=g) * 2 - 1
    return (sign * torch.randint(0, 3, shape, generator=g)).float()


def same_mask(candidate, solution, mistakes, w, *args, **kwargs):
    got = candidate.run("nm_mask", w, *args, **kwargs)
    want = solution.nm_mask(w, *args, **kwargs)
    expect(
        isinstance(got.value, torch.Tensor) and got.value.dtype == torch.bool,
        "nm_mask must return a torch.bool tensor",
    )
    expect_equal(tuple(got.value.shape), tuple(w.shape), name="shape of the mask")
    expect_equal(
        got.value,
        want,
        name="mask",
        mistakes=mistakes.on(lambda m: m.nm_mask(w, *args, **kwargs)),
    )
    return got


def check_groups(mask: torch.Tensor, w: torch.Tensor, n: int, m: int) -> None:
    """Independent of the solution: each full group keeps exactly n, the largest ones."""
    cols = w.shape[-1] - w.shape[-1] % m
    groups = w[..., :cols].abs().reshape(-1, m)
    keep = mask[..., :cols].reshape(-1, m)
    counts = keep.sum(-1)
    expect(bool((counts == n).all()), f"a group of {m} keeps {int(counts.min())}, not {n}")
    kept_min = torch.where(keep, groups, torch.inf).amin(-1)
    dropped_max = torch.where(keep, -torch.inf, groups).amax(-1)
    expect(
        bool((dropped_max <= kept_min).all()),
        "a group dropped an entry larger in magnitude than one it kept",
    )


@points(14)
def test_two_of_four_on_a_linear_weight(candidate, solution, mistakes, seed):
    w = weight(seed, 16, 32)
    got = same_mask(candidate, solution, mistakes, w, 2, 4)
    check_groups(got.value, w, 2, 4)


@points(8)
def test_the_defaults_are_two_of_four(candidate, solution, mistakes, seed):
    w = weight(seed + 1, 8, 12)
    got = same_mask(candidate, solution, mistakes, w)
    check_groups(got.value, w, 2, 4)


@points(8)
def test_one_of_four(candidate, solution, mistakes, seed):
    w = weight(seed + 2, 6, 24)
    got = same_mask(candidate, solution, mistakes, w, 1, 4)
    check_groups(got.value, w, 1, 4)


@points(8)
def test_four_of_eight_in_float64(candidate, solution, mistakes, seed):
    w = weight(seed + 3, 5, 16, dtype=torch.float64)
    got = same_mask(candidate, solution, mistakes, w, 4, 8)
    check_groups(got.value, w, 4, 8)


@points(10)
def test_ties_keep_the_earlier_entry(candidate, solution, mistakes, seed):
    w = tied_weight(seed + 4, 10, 16)
    got = same_mask(candidate, solution, mistakes, w, 2, 4)
    check_groups(got.value, w, 2, 4)


@points(6)
def test_all_equal_magnitudes(candidate, solution, mistakes, seed):
    """Every entry of a group has the same magnitude (drawn), signs drawn: the first n win."""
    g = torch.Generator().manual_seed(seed + 5)
    c = 0.5 + float(torch.rand((), generator=g))
    sign = torch.randint(0, 2, (3, 8), generator=g) * 2.0 - 1.0
    w = c * sign
    w[:, 4:] = 0.0
    got = same_mask(candidate, solution, mistakes, w, 2, 4)
    row = torch.tensor([True, True, False, False, True, True, False, False])
    expect_equal(got.value, row.repeat(3, 1), name="mask of tied groups")


def check_tail(mask: torch.Tensor, n: int, m: int) -> None:
    cols = mask.shape[-1]
    tail = mask[..., cols - cols % m :]
    want = min(n, cols % m)
    expect(
        bool((tail.sum(-1) == want).all()),
        f"a trailing group of {cols % m} keeps {int(tail.sum(-1).max())}, "
        f"expected min(n, p) = {want}",
    )


@points(8)
def test_trailing_partial_groups(candidate, solution, mistakes, seed):
    for k, (cols, n) in enumerate(((10, 2), (7, 2), (9, 3), (3, 1))):
        w = weight(seed + 6 + k, 4, cols)
        got = same_mask(candidate, solution, mistakes, w, n, 4)
        check_tail(got.value, n, 4)


@points(7)
def test_trailing_partial_groups_of_a_3d_weight(candidate, solution, mistakes, seed):
    for k, (cols, n, m) in enumerate(((11, 1, 4), (14, 3, 8), (10, 4, 4))):
        w = weight(seed + 10 + k, 2, 3, cols)
        got = same_mask(candidate, solution, mistakes, w, n, m)
        check_tail(got.value, n, m)
    expect_equal(got.value, torch.ones(2, 3, 10, dtype=torch.bool), name="4:4 mask of a 3-D weight")


@points(8)
def test_one_and_three_dimensional_weights(candidate, solution, mistakes, seed):
    w1 = weight(seed + 12, 13)
    same_mask(candidate, solution, mistakes, w1, 2, 4)
    w3 = weight(seed + 13, 3, 4, 8)
    got = same_mask(candidate, solution, mistakes, w3, 2, 4)
    check_groups(got.value, w3, 2, 4)


@points(5)
def test_n_equal_to_m_keeps_everything(candidate, solution, mistakes, seed):
    w = weight(seed + 14, 4, 10)
    got = same_mask(candidate, solution, mistakes, w, 4, 4)
    expect_equal(got.value, torch.ones(4, 10, dtype=torch.bool), name="4:4 mask")


@points(5)
def test_weight_is_not_modified(candidate, mistakes, seed):
    expect_inputs_unchanged(candidate, "nm_mask", weight(seed + 15, 8, 8), 2, 4, mistakes=mistakes)


@points(5)
def test_tied_weight_is_not_modified(candidate, mistakes, seed):
    w = tied_weight(seed + 16, 4, 14)
    expect_inputs_unchanged(candidate, "nm_mask", w, 1, 4, mistakes=mistakes)


@points(4)
def test_invalid_n_and_m_raise(candidate, mistakes, seed):
    w = weight(seed + 17, 4, 8)
    hint = mistakes.hint("no_validation")
    for n, m in ((0, 4), (5, 4), (3, 2)):
        expect_raises(ValueError, lambda n=n, m=m: candidate.nm_mask(w, n, m), hint=hint)


@points(4)
def test_a_scalar_weight_raises(candidate, mistakes, seed):
    g = torch.Generator().manual_seed(seed + 18)
    scalar = torch.randn((), generator=g)
    expect_raises(
        ValueError,
        lambda: candidate.nm_mask(scalar, 2, 4),
        name="a 0-dimensional weight",
        hint=mistakes.hint("no_validation"),
    )

"""Hidden tests: 2:4, 1:4 and 4:8 on random weights (exact masks: random floats do not tie),
exactly n kept per group with the largest magnitudes, ties (earlier index wins), trailing
partial groups of every length, 1-D, 3-D and float64 inputs, the defaults, n = m, invalid
arguments, and that the weight is left as it was."""

import torch

from judge.testing import TestFailed, expect, expect_equal, expect_raises


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


def test_two_of_four_on_a_linear_weight(candidate, solution, mistakes):
    w = weight(0, 16, 32)
    got = same_mask(candidate, solution, mistakes, w, 2, 4)
    check_groups(got.value, w, 2, 4)


def test_the_defaults_are_two_of_four(candidate, solution, mistakes):
    w = weight(1, 8, 12)
    got = same_mask(candidate, solution, mistakes, w)
    check_groups(got.value, w, 2, 4)


def test_one_of_four_and_four_of_eight(candidate, solution, mistakes):
    for w, n, m in ((weight(2, 6, 24), 1, 4), (weight(3, 5, 16, dtype=torch.float64), 4, 8)):
        got = same_mask(candidate, solution, mistakes, w, n, m)
        check_groups(got.value, w, n, m)


def test_ties_keep_the_earlier_entry(candidate, solution, mistakes):
    for seed in (4, 5):
        w = tied_weight(seed, 10, 16)
        got = same_mask(candidate, solution, mistakes, w, 2, 4)
        check_groups(got.value, w, 2, 4)


def test_all_equal_magnitudes(candidate, solution, mistakes):
    w = torch.tensor([[2.0, -2.0, 2.0, -2.0, 0.0, 0.0, 0.0, 0.0]]).repeat(3, 1)
    got = same_mask(candidate, solution, mistakes, w, 2, 4)
    row = torch.tensor([True, True, False, False, True, True, False, False])
    expect_equal(got.value, row.repeat(3, 1), name="mask of tied groups")


def test_trailing_partial_groups(candidate, solution, mistakes):
    for seed, cols, n in ((6, 10, 2), (7, 7, 2), (8, 9, 3), (9, 3, 1)):
        w = weight(seed, 4, cols)
        got = same_mask(candidate, solution, mistakes, w, n, 4)
        tail = got.value[:, cols - cols % 4 :]
        expect(
            bool((tail.sum(-1) == min(n, cols % 4)).all()),
            f"a trailing group of {cols % 4} keeps {int(tail.sum(-1).max())}, "
            f"expected min(n, p) = {min(n, cols % 4)}",
        )


def test_one_and_three_dimensional_weights(candidate, solution, mistakes):
    w1 = weight(10, 13)
    same_mask(candidate, solution, mistakes, w1, 2, 4)
    w3 = weight(11, 3, 4, 8)
    got = same_mask(candidate, solution, mistakes, w3, 2, 4)
    check_groups(got.value, w3, 2, 4)


def test_n_equal_to_m_keeps_everything(candidate, solution, mistakes):
    w = weight(12, 4, 10)
    got = same_mask(candidate, solution, mistakes, w, 4, 4)
    expect_equal(got.value, torch.ones(4, 10, dtype=torch.bool), name="4:4 mask")


def test_weight_is_not_modified(candidate, mistakes):
    for w in (weight(13, 8, 8), tied_weight(14, 4, 12)):
        before = w.clone()
        after = candidate.run("nm_mask", w, 2, 4).args[0]
        expect(
            bool(torch.equal(after, before)),
            "nm_mask changed its weight argument; it must only compute the mask",
            hint=mistakes.hint("weight_zeroed_in_place"),
        )


def test_invalid_arguments_raise(candidate, mistakes):
    w = weight(15, 4, 8)
    try:
        expect_raises(ValueError, lambda: candidate.nm_mask(w, 0, 4))
        expect_raises(ValueError, lambda: candidate.nm_mask(w, 5, 4))
        expect_raises(ValueError, lambda: candidate.nm_mask(w, 3, 2))
        expect_raises(ValueError, lambda: candidate.nm_mask(torch.tensor(1.5), 2, 4))
    except TestFailed as failure:
        raise TestFailed(failure.args[0], hint=mistakes.hint("no_validation")) from None

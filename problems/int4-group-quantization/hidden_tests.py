"""Hidden tests: random weights at group sizes 32/64/128 and float64 input (codes, scales
and zero points equal the reference: random floats do not round at .5), the packing order,
the s/2 error bound (checked here, not against the reference), zeros kept exact, all-zero,
all-positive and all-negative groups, dequantize on its own, invalid arguments, and that no
argument is changed.

Weights come from the per-grade ``seed``. Points follow the clause: the codes, scales and
zero points, and dequantize, weigh most. The value tests compare the codes whichever way a
byte's two nibbles are ordered, so that the packing order (a convention of the format) costs
its own tests rather than every test."""

import torch

from judge.testing import (
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def weight(seed: int, out_f: int, in_f: int, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(out_f, in_f, generator=g) * torch.rand(out_f, 1, generator=g)).to(dtype)


def swapped(packed: torch.Tensor) -> torch.Tensor:
    """The bytes with their two nibbles exchanged."""
    return ((packed & 15) << 4) | (packed >> 4)


def same_swapped(got, want: torch.Tensor) -> bool:
    """``got`` is ``want`` with every byte's nibbles exchanged."""
    ok = isinstance(got, torch.Tensor) and got.dtype == torch.uint8 and got.shape == want.shape
    return ok and bool(torch.equal(swapped(got), want))


def same_quantization(candidate, solution, mistakes, w, group_size, exact_packing=False):
    """(packed, scales, zeros) as the solution's; unless ``exact_packing``, packed bytes
    whose nibbles are exchanged count as the same codes (the packing order has its own
    tests)."""
    got = candidate.run("quantize_int4", w, group_size)
    want = solution.quantize_int4(w, group_size)
    expect(
        isinstance(got.value, tuple | list) and len(got.value) == 3,
        "quantize_int4 must return (packed, scales, zeros)",
    )
    for i, name in ((1, "scales"), (2, "zeros"), (0, "packed")):
        theirs = got.value[i]
        if i == 0 and not exact_packing and same_swapped(theirs, want[0]):
            continue
        expect_close(
            theirs,
            want[i],
            rtol=1e-6,
            atol=0,
            name=f"{name} (group size {group_size})",
            mistakes=mistakes.on(lambda m, i=i: m.quantize_int4(w, group_size)[i]),
        )
    return got


def check_error_bound(w, w_hat, scales, group_size, hint=None):
    """|w - w_hat| <= scale / 2 in every group, checked here on the candidate's own round
    trip (whichever way it orders the nibbles, its dequantize must undo its quantize)."""
    rows = w.shape[0]
    err = (w.float() - w_hat).abs().reshape(rows, -1, group_size).amax(-1)
    worst = float((err / scales).max())
    expect(
        worst <= 0.5 + 1e-4, f"an entry is off by {worst:.3f} steps; the bound is 0.5", hint=hint
    )


@points(10)
def test_group_32(candidate, solution, mistakes, seed):
    w = weight(seed, 8, 64)
    same_quantization(candidate, solution, mistakes, w, 32)


@points(9)
def test_group_64_and_128(candidate, solution, mistakes, seed):
    w = weight(seed + 1, 6, 256)
    for group_size in (64, 128):
        same_quantization(candidate, solution, mistakes, w, group_size)


@points(6)
def test_float64_weight_gives_float32_scales(candidate, solution, mistakes, seed):
    w = weight(seed + 2, 5, 48, dtype=torch.float64)
    got = same_quantization(candidate, solution, mistakes, w, 16)
    expect_equal(got.value[1].dtype, torch.float32, name="dtype of scales")


@points(5)
def test_packing_order_low_nibble_first(candidate, mistakes):
    """A fixed, designed row: s = 0.5, z = 0, so the codes are 0, 2, 4, ..., 15."""
    w = torch.tensor([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.5]])
    packed = candidate.quantize_int4(w, 8)[0]
    expect_equal(
        packed,
        torch.tensor([[2 * 16, 4 + 6 * 16, 8 + 10 * 16, 12 + 15 * 16]], dtype=torch.uint8),
        name="packed codes of [0, 2, 4, ..., 15]",
        mistakes=mistakes.on(lambda m: m.quantize_int4(w, 8)[0]),
    )


@points(5)
def test_packing_order_on_random_weights(candidate, solution, mistakes, seed):
    w = weight(seed + 3, 3, 32)
    same_quantization(candidate, solution, mistakes, w, 8, exact_packing=True)


def check_bound(candidate, mistakes, w, group_size):
    packed, scales, zeros = candidate.quantize_int4(w, group_size)
    w_hat = candidate.dequantize_int4(packed, scales, zeros)
    expect_equal(tuple(w_hat.shape), tuple(w.shape), name="shape of the round trip")
    hint = mistakes.on(lambda m: list(m.quantize_int4(w, group_size))).diagnose(
        [packed, scales, zeros], 1e-6, 0.0
    )
    check_error_bound(w, w_hat, scales, group_size, hint=hint)


@points(5)
def test_error_bound_with_an_outlier(candidate, mistakes, seed):
    w = weight(seed + 4, 4, 128) * 10
    w[0, 3] = 40.0  # one outlier stretches only its own group
    check_bound(candidate, mistakes, w, 16)


@points(5)
def test_error_bound_on_wide_groups(candidate, mistakes, seed):
    w = weight(seed + 5, 4, 128) * 10
    w[2, 70] = -55.0
    check_bound(candidate, mistakes, w, 64)


@points(7)
def test_zero_stays_exact_and_special_groups(candidate, solution, mistakes, seed):
    w = weight(seed + 6, 4, 32)
    w[0] = 0.0  # all-zero groups: scale 1, zero 0
    w[1] = w[1].abs()  # all positive: zero point 0
    w[2] = -w[2].abs()  # all negative: zero point 15
    w[3, ::3] = 0.0
    got = same_quantization(candidate, solution, mistakes, w, 8)
    expect_close(got.value[1][0], torch.ones(4), name="scales of all-zero groups")
    expect_equal(got.value[2][1], torch.zeros(4, dtype=torch.uint8), name="zeros, positive row")
    expect_equal(got.value[2][2], torch.full((4,), 15, dtype=torch.uint8), name="zeros, negative")
    w_hat = candidate.dequantize_int4(*got.value)
    expect(
        bool((w_hat[w == 0] == 0).all()),
        "a zero weight does not dequantize to exactly 0",
        hint=mistakes.on(lambda m: m.dequantize_int4(*got.value)).diagnose(w_hat, 1e-6, 0.0),
    )


@points(6)
def test_one_sided_groups_range_from_zero(candidate, solution, mistakes, seed):
    """Shifted weights (every group one-sided): the range runs from 0 to the far end."""
    w = weight(seed + 7, 6, 48)
    w[:3] = w[:3].abs() + 0.5
    w[3:] = -w[3:].abs() - 0.5
    got = same_quantization(candidate, solution, mistakes, w, 16)
    expect_equal(
        got.value[2],
        torch.tensor([[0] * 3] * 3 + [[15] * 3] * 3, dtype=torch.uint8),
        name="zero points of one-sided groups",
    )


def check_dequantize(candidate, solution, mistakes, w, group_size):
    args = solution.quantize_int4(w, group_size)
    expect_close(
        candidate.dequantize_int4(*args),
        solution.dequantize_int4(*args),
        name=f"dequantized (group size {group_size})",
        mistakes=mistakes.on(lambda m: m.dequantize_int4(*args)),
    )


@points(9)
def test_dequantize(candidate, solution, mistakes, seed):
    check_dequantize(candidate, solution, mistakes, weight(seed + 8, 5, 64), 32)


@points(9)
def test_dequantize_small_groups_of_shifted_weights(candidate, solution, mistakes, seed):
    check_dequantize(candidate, solution, mistakes, weight(seed + 9, 5, 64) + 0.3, 4)


@points(8)
def test_round_trip_is_idempotent(candidate, solution, mistakes, seed):
    """Quantizing a dequantized weight gives the same dequantized weight back."""
    w_hat = solution.dequantize_int4(*solution.quantize_int4(weight(seed + 10, 4, 64), 16))
    again = candidate.dequantize_int4(*candidate.quantize_int4(w_hat, 16))
    expect_close(
        again,
        w_hat,
        atol=1e-5,
        name="dequantize(quantize(w_hat))",
        mistakes=mistakes.on(lambda m: m.dequantize_int4(*m.quantize_int4(w_hat, 16))),
    )


@points(3)
def test_a_bad_group_size_raises(candidate, mistakes, seed):
    w = weight(seed + 11, 4, 24)
    hint = mistakes.hint("no_validation")
    for group_size in (3, 16, 0):
        expect_raises(
            ValueError,
            lambda g=group_size: candidate.quantize_int4(w, g),
            name=f"group_size {group_size} for 24 inputs",
            hint=hint,
        )


@points(3)
def test_a_weight_not_2d_raises(candidate, mistakes, seed):
    w = weight(seed + 12, 4, 24)
    hint = mistakes.hint("no_validation")
    expect_raises(ValueError, lambda: candidate.quantize_int4(w.flatten(), 8), hint=hint)
    expect_raises(ValueError, lambda: candidate.quantize_int4(w.view(2, 2, 24), 8), hint=hint)


def check_arguments_unchanged(candidate, mistakes, w, group_size):
    args = expect_inputs_unchanged(candidate, "quantize_int4", w, group_size, mistakes=mistakes)
    expect(
        isinstance(args, tuple | list) and len(args) == 3,
        "quantize_int4 must return (packed, scales, zeros)",
    )
    expect_inputs_unchanged(candidate, "dequantize_int4", *args, mistakes=mistakes)


@points(5)
def test_arguments_are_not_modified(candidate, mistakes, seed):
    check_arguments_unchanged(candidate, mistakes, weight(seed + 13, 3, 32), 8)


@points(5)
def test_arguments_of_small_groups_are_not_modified(candidate, mistakes, seed):
    check_arguments_unchanged(candidate, mistakes, weight(seed + 14, 5, 24) + 0.2, 4)

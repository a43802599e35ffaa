"""Hidden tests: 2-D and 4-D weights, channels of very different size, an all-zero channel,
ties at exact halves, the symmetric range, dequantize's broadcasting, the error bound.

q must equal the reference's exactly, except that where w / scale lies within 1e-3 of a
half an implementation's float rounding (w * (1/scale) vs w / scale) may land on either
side: there a difference of one step is accepted. The exact-halves test uses scale 1.0,
where every implementation computes the same quotient.
"""

import torch
from torch import nn

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    points,
)


def check_quantized(candidate, solution, mistakes, w, tie_slack=True):
    got = candidate.quantize_per_channel(w)
    expect(
        isinstance(got, tuple | list) and len(got) == 2,
        "quantize_per_channel must return a pair (q, scale)",
    )
    q, scale = got
    want_q, want_scale = solution.quantize_per_channel(w)
    expect_close(
        scale,
        want_scale,
        rtol=1e-6,
        atol=0.0,
        name="scale",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[1]),
    )
    expect(
        isinstance(q, torch.Tensor) and q.dtype == torch.int8,
        f"q must be a torch.int8 tensor, got {getattr(q, 'dtype', type(q).__name__)}",
    )
    ratio = w.detach().double() / want_scale.double().view(-1, *([1] * (w.dim() - 1)))
    near_half = ((ratio.abs() - ratio.abs().floor()) - 0.5).abs() < 1e-3
    if isinstance(q, torch.Tensor) and q.shape == want_q.shape and q.dtype == want_q.dtype:
        diff = q.int() - want_q.int()
        ok = (diff == 0) | ((diff.abs() == 1) & near_half & tie_slack)
        if bool(ok.all()):
            return q, scale
    expect_equal(q, want_q, name="q", mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[0]))
    return q, scale


@points(6)
def test_linear_layer_weight(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 0)
    check_quantized(candidate, solution, mistakes, nn.Linear(24, 10).weight)


@points(6)
def test_conv_weight_4d(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 1)
    check_quantized(candidate, solution, mistakes, 0.3 * torch.randn(8, 3, 3, 3))


@points(8)
def test_channels_of_very_different_size(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 2)
    w = torch.randn(6, 16) * torch.logspace(-3, 2, 6).view(-1, 1)
    check_quantized(candidate, solution, mistakes, w)


@points(8)
def test_all_zero_channel(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 3)
    w = torch.randn(5, 7)
    w[2] = 0.0
    q, scale = check_quantized(candidate, solution, mistakes, w)
    expect(
        bool(torch.isfinite(scale).all()) and float(scale[2]) == 1.0,
        f"the all-zero channel 2 got scale {float(scale[2])}; it must be 1.0",
    )
    back = candidate.dequantize(q, scale)
    expect(bool(torch.isfinite(back).all()), "dequantize gave non-finite values")
    expect_equal(back[2], torch.zeros(7), name="dequantized zero channel")


@points(5)
def test_all_zero_conv_weight(candidate, solution, mistakes, seed):
    check_quantized(candidate, solution, mistakes, torch.zeros(3, 2, 3, 3))


@points(8)
def test_exact_halves_round_to_even(candidate, solution, mistakes, seed):
    w = torch.tensor(
        [[127.0, 2.5, -3.5, 0.5, -0.5, 1.5, -126.5], [-4.0, 1.0, 0.0, 0.5, 2.0, 1.5, -2.5]]
    )
    check_quantized(candidate, solution, mistakes, w, tie_slack=False)


@points(6)
def test_range_is_symmetric(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 4)
    w = torch.randn(4, 9)
    w[:, 0] = torch.tensor([-9.0, 9.0, -7.0, 8.0])  # each row's extreme, both signs
    q, _ = check_quantized(candidate, solution, mistakes, w)
    expect(
        int(q.min()) >= -127,
        f"q reaches {int(q.min())}: the symmetric int8 range is [-127, 127]",
        hint=mistakes.hint("allows_minus_128"),
    )
    expect_equal(q[:, 0], torch.tensor([-127, 127, -127, 127], dtype=torch.int8), name="extremes")


@points(7)
def test_dequantize_square_matrix(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 5)
    w = torch.randn(6, 6) * torch.arange(1.0, 7.0).view(-1, 1)
    q, scale = solution.quantize_per_channel(w)
    expect_close(
        candidate.dequantize(q, scale),
        solution.dequantize(q, scale),
        name="dequantize(q, scale)",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )


@points(7)
def test_dequantize_4d(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 6)
    q, scale = solution.quantize_per_channel(torch.randn(5, 2, 3, 3) * 4)
    expect_close(
        candidate.dequantize(q, scale),
        solution.dequantize(q, scale),
        name="dequantize(q, scale) of a 4-D weight",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )


@points(3)
def test_round_trip_error_is_half_a_step(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 7)
    w = torch.randn(12, 20) * torch.rand(12, 1) * 5
    q, scale = candidate.quantize_per_channel(w)
    back = candidate.dequantize(q, scale)
    expect(
        isinstance(back, torch.Tensor) and back.shape == w.shape,
        "dequantize(quantize_per_channel(w)) must be a tensor of w's shape",
    )
    err = (back - w).abs().amax(dim=1)
    _, want_scale = solution.quantize_per_channel(w)
    bound = want_scale / 2 * (1 + 1e-5)
    worst = int((err / bound).argmax())
    expect(
        bool((err <= bound).all()),
        f"round-trip error {float(err[worst]):.3g} in channel {worst} exceeds half a step "
        f"({float(bound[worst]):.3g})",
        hint=mistakes.on(lambda m: list(m.quantize_per_channel(w))).diagnose([q, scale], 1e-6, 0.0),
    )


@points(6)
def test_conv_channels_of_very_different_size(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 9)
    w = torch.randn(5, 3, 2, 2) * torch.logspace(-2, 2, 5).view(-1, 1, 1, 1)
    check_quantized(candidate, solution, mistakes, w)


@points(6)
def test_exact_halves_in_a_conv_kernel(candidate, solution, mistakes, seed):
    """Channels whose largest entry is 127 have scale 1.0: w / s is w, halves stay halves."""
    g = torch.Generator().manual_seed(seed + 10)
    halves = torch.randint(-120, 120, (3, 2, 2, 2), generator=g).float() + 0.5
    halves.view(3, -1)[:, 0] = 127.0
    check_quantized(candidate, solution, mistakes, halves, tie_slack=False)


@points(6)
def test_dequantize_conv_kernel_round_trip(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 11)
    w = torch.randn(4, 3, 3, 3) * torch.rand(4, 1, 1, 1) * 3
    q, scale = solution.quantize_per_channel(w)
    expect_close(
        candidate.dequantize(q, scale),
        solution.dequantize(q, scale),
        name="dequantize(q, scale) of a conv kernel",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )


@points(5)
def test_weight_is_not_modified(candidate, mistakes, seed):
    torch.manual_seed(seed + 12)
    w = torch.randn(4, 5) * 3
    expect_inputs_unchanged(candidate, "quantize_per_channel", w, mistakes=mistakes)


@points(5)
def test_conv_weight_is_not_modified(candidate, mistakes, seed):
    torch.manual_seed(seed + 13)
    w = torch.randn(3, 2, 3, 3, dtype=torch.float64)
    expect_inputs_unchanged(candidate, "quantize_per_channel", w, mistakes=mistakes)


@points(2)
def test_float16_and_float64_weights_give_a_float32_scale(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 14)
    w = torch.randn(3, 6)
    for other in (w.double(), w.half()):
        check_quantized(candidate, solution, mistakes, other)


@points(2)
def test_a_weight_that_requires_grad(candidate, solution, mistakes, seed):
    torch.manual_seed(seed + 15)
    layer = nn.Conv2d(2, 4, 3)
    check_quantized(candidate, solution, mistakes, layer.weight)


def expect_no_gradient(candidate, mistakes, w, what):
    """quantize_per_channel(w), w requiring grad: neither q nor scale may still require grad
    (seen in the child: results cross back detached)."""
    probe = Probe("result_grads")
    kept = candidate.run("quantize_per_channel", w, probe=probe).probe["requires_grad"]
    expect(
        kept == [],
        f"quantize_per_channel({what}): {', '.join(kept)} still "
        f"require{'s' if len(kept) == 1 else ''} grad; q and scale carry no gradient",
        hint=mistakes.on(
            lambda m: m.run("quantize_per_channel", w, probe=probe).probe["requires_grad"]
        ).diagnose(kept, 0.0, 0.0, exact=True),
    )


@points(2)
def test_q_and_scale_carry_no_gradient(candidate, mistakes, seed):
    torch.manual_seed(seed + 16)
    expect_no_gradient(candidate, mistakes, nn.Linear(12, 5).weight, "a Linear's weight")


@points(2)
def test_q_and_scale_of_a_conv_kernel_carry_no_gradient(candidate, mistakes, seed):
    torch.manual_seed(seed + 17)
    w = (torch.randn(6, 3, 3, 3, dtype=torch.float64) * 2).requires_grad_(True)
    expect_no_gradient(candidate, mistakes, w, "a float64 conv kernel that requires grad")

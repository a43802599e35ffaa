"""Hidden tests: 2-D and 4-D weights, channels of very different size, an all-zero channel,
ties at exact halves, the symmetric range, dequantize's broadcasting, the error bound.

q must equal the reference's exactly, except that where w / scale lies within 1e-3 of a
half an implementation's float rounding (w * (1/scale) vs w / scale) may land on either
side: there a difference of one step is accepted. The exact-halves test uses scale 1.0,
where every implementation computes the same quotient.
"""

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_equal


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


def test_linear_layer_weight(candidate, solution, mistakes):
    torch.manual_seed(0)
    check_quantized(candidate, solution, mistakes, nn.Linear(24, 10).weight)


def test_conv_weight_4d(candidate, solution, mistakes):
    torch.manual_seed(1)
    check_quantized(candidate, solution, mistakes, 0.3 * torch.randn(8, 3, 3, 3))


def test_channels_of_very_different_size(candidate, solution, mistakes):
    torch.manual_seed(2)
    w = torch.randn(6, 16) * torch.logspace(-3, 2, 6).view(-1, 1)
    check_quantized(candidate, solution, mistakes, w)


def test_all_zero_channel(candidate, solution, mistakes):
    torch.manual_seed(3)
    w = torch.randn(5, 7)
    w[2] = 0.0
    q, scale = candidate.quantize_per_channel(w)
    expect(
        bool(torch.isfinite(scale).all()) and float(scale[2]) == 1.0,
        f"the all-zero channel 2 got scale {float(scale[2])}; it must be 1.0",
        hint=mistakes.hint("nan_zero_channel") if not torch.isfinite(scale).all() else None,
    )
    check_quantized(candidate, solution, mistakes, w)
    back = candidate.dequantize(q, scale)
    expect(bool(torch.isfinite(back).all()), "dequantize gave non-finite values")
    expect_equal(back[2], torch.zeros(7), name="dequantized zero channel")


def test_all_zero_conv_weight(candidate, solution, mistakes):
    check_quantized(candidate, solution, mistakes, torch.zeros(3, 2, 3, 3))


def test_exact_halves_round_to_even(candidate, solution, mistakes):
    w = torch.tensor(
        [[127.0, 2.5, -3.5, 0.5, -0.5, 1.5, -126.5], [-4.0, 1.0, 0.0, 0.5, 2.0, 1.5, -2.5]]
    )
    check_quantized(candidate, solution, mistakes, w, tie_slack=False)


def test_range_is_symmetric(candidate, solution, mistakes):
    torch.manual_seed(4)
    w = torch.randn(4, 9)
    w[:, 0] = torch.tensor([-9.0, 9.0, -7.0, 8.0])  # each row's extreme, both signs
    q, _ = check_quantized(candidate, solution, mistakes, w)
    expect(
        int(q.min()) >= -127,
        f"q reaches {int(q.min())}: the symmetric int8 range is [-127, 127]",
        hint=mistakes.hint("allows_minus_128"),
    )
    expect_equal(q[:, 0], torch.tensor([-127, 127, -127, 127], dtype=torch.int8), name="extremes")


def test_dequantize_square_matrix(candidate, solution, mistakes):
    torch.manual_seed(5)
    w = torch.randn(6, 6) * torch.arange(1.0, 7.0).view(-1, 1)
    q, scale = solution.quantize_per_channel(w)
    expect_close(
        candidate.dequantize(q, scale),
        solution.dequantize(q, scale),
        name="dequantize(q, scale)",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )


def test_dequantize_4d(candidate, solution, mistakes):
    torch.manual_seed(6)
    q, scale = solution.quantize_per_channel(torch.randn(5, 2, 3, 3) * 4)
    expect_close(
        candidate.dequantize(q, scale),
        solution.dequantize(q, scale),
        name="dequantize(q, scale) of a 4-D weight",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )


def test_round_trip_error_is_half_a_step(candidate, solution, mistakes):
    torch.manual_seed(7)
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
        hint=mistakes.hint("truncation"),
    )


def test_weight_is_not_modified(candidate):
    torch.manual_seed(8)
    w = torch.randn(4, 5)
    out = candidate.run("quantize_per_channel", w)
    expect_close(out.args[0], w, name="the weight after quantize_per_channel (must not change)")

"""4-bit groups: codes against a loop over groups, the s/2 bound, exact zeros and
the packing order; fake quantization: forward, STE mask and LSQ scale gradient against
torch's own fake-quantization kernels."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.quantize import (
    dequantize_int4,
    fake_quantize_ste,
    int4_bits_per_weight,
    quantize_int4,
)

torch.set_num_threads(1)


def loop_codes(w: torch.Tensor, group_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Codes and zero points group by group, with the contract's formulas in float32."""
    codes, zeros = [], []
    for row in w.float():
        for g in row.split(group_size):
            lo, hi = g.min().clamp(max=0.0), g.max().clamp(min=0.0)  # float32 scalars
            s = (hi - lo) / 15 if hi > lo else torch.tensor(1.0)
            z = torch.round(-lo / s)
            codes.append(torch.clamp(torch.round(g / s) + z, 0, 15))
            zeros.append(z)
    return torch.cat(codes).reshape(w.shape), torch.stack(zeros).reshape(w.shape[0], -1)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 4),
    groups=st.integers(1, 4),
    half_group=st.sampled_from([1, 2, 8, 16]),
    scale=st.sampled_from([1e-3, 1.0, 50.0]),
    zeros_share=st.floats(0.0, 0.9),
    seed=st.integers(0, 10_000),
)
def test_int4_codes_bound_and_exact_zeros(rows, groups, half_group, scale, zeros_share, seed):
    g = torch.Generator().manual_seed(seed)
    group_size = 2 * half_group
    w = torch.randn(rows, groups * group_size, generator=g) * scale
    w[torch.rand(w.shape, generator=g) < zeros_share] = 0.0
    before = w.clone()
    packed, scales, zeros = quantize_int4(w, group_size)
    assert torch.equal(w, before)
    assert packed.dtype == zeros.dtype == torch.uint8 and scales.dtype == torch.float32
    assert packed.shape == (rows, groups * half_group) and scales.shape == (rows, groups)
    codes = torch.stack([packed & 15, packed >> 4], -1).reshape(w.shape)
    want_codes, want_zeros = loop_codes(w, group_size)
    assert torch.equal(codes.float(), want_codes) and torch.equal(zeros.float(), want_zeros)
    w_hat = dequantize_int4(packed, scales, zeros)
    err = (w_hat - w).abs().reshape(rows, groups, group_size).amax(-1)
    assert bool((err <= scales / 2 * (1 + 1e-5) + 1e-7).all())
    assert bool((w_hat[w == 0] == 0).all())


def test_int4_storage_per_weight():
    assert int4_bits_per_weight(128) == pytest.approx(4.28125)
    assert int4_bits_per_weight(32) == pytest.approx(5.125)


@pytest.mark.parametrize("group_size", [0, 3, 5, 12])
def test_int4_rejects_group_sizes_that_do_not_pack(group_size):
    with pytest.raises(ValueError):
        quantize_int4(torch.randn(2, 20), group_size)


@settings(max_examples=40, deadline=None)
@given(
    scale=st.floats(0.01, 2.0),
    bits=st.sampled_from([4, 8]),
    zero_share=st.floats(0.0, 1.0),
    seed=st.integers(0, 10_000),
)
def test_fake_quantize_matches_torch_kernels(scale, bits, zero_share, seed):
    """Forward and x-gradient as torch.fake_quantize_per_tensor_affine; the scale gradient
    as torch's learnable (LSQ) kernel, whose backward agrees for zero points >= 0."""
    qmin, qmax = 0, 2**bits - 1
    zero_point = round(zero_share * qmax)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(300, generator=g) * scale * 2 ** (bits - 1)
    s = torch.tensor([scale], dtype=torch.float32)
    ours_x, ours_s = x.clone().requires_grad_(True), s.clone().requires_grad_(True)
    y = fake_quantize_ste(ours_x, ours_s, zero_point, qmin, qmax)
    y.sum().backward()
    plain_x = x.clone().requires_grad_(True)
    want = torch.fake_quantize_per_tensor_affine(plain_x, float(s), zero_point, qmin, qmax)
    want.sum().backward()
    torch.testing.assert_close(y, want, rtol=0, atol=0)
    torch.testing.assert_close(ours_x.grad, plain_x.grad, rtol=0, atol=0)
    lsq_x, lsq_s = x.clone().requires_grad_(True), s.clone().requires_grad_(True)
    zero = torch.tensor([float(zero_point)])
    lsq = torch._fake_quantize_learnable_per_tensor_affine(lsq_x, lsq_s, zero, qmin, qmax, 1.0)
    lsq.sum().backward()
    torch.testing.assert_close(ours_s.grad, lsq_s.grad, rtol=1e-4, atol=1e-3)


def test_fake_quantize_per_channel_scale_gradient():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 50, generator=g) * 2
    s = (torch.rand(4, 1, generator=g) + 0.1).requires_grad_(True)
    fake_quantize_ste(x, s, 0, -8, 7).sum().backward()
    s_flat = s.detach().flatten().clone().requires_grad_(True)
    zeros = torch.zeros(4)
    torch._fake_quantize_learnable_per_channel_affine(
        x, s_flat, zeros, 0, -8, 7, 1.0
    ).sum().backward()
    torch.testing.assert_close(s.grad.flatten(), s_flat.grad)


@pytest.mark.parametrize(("scale", "qmin", "qmax"), [(0.0, -8, 7), (-1.0, -8, 7), (0.1, 3, 3)])
def test_fake_quantize_rejects_bad_ranges(scale, qmin, qmax):
    with pytest.raises(ValueError):
        fake_quantize_ste(torch.randn(4), torch.tensor(scale), 0, qmin, qmax)

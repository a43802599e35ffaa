"""Written differently: torch.aminmax over an unflattened view, codes packed by arithmetic
(even + 16 * odd) with strided slices, and unpacked by integer division."""

import torch


def quantize_int4(weight: torch.Tensor, group_size: int):
    if weight.dim() != 2:
        raise ValueError("weight must be 2-D")
    if not (group_size >= 2 and group_size % 2 == 0 and weight.size(1) % group_size == 0):
        raise ValueError("invalid group size")
    g = weight.detach().float().unflatten(1, (-1, group_size))
    mn, mx = torch.aminmax(g, dim=2)
    mn, mx = mn.clamp(max=0), mx.clamp(min=0)
    scale = (mx - mn) / 15
    scale[mx == mn] = 1.0
    zero = (-mn / scale).round()
    q = ((g / scale.unsqueeze(2)).round() + zero.unsqueeze(2)).clamp(0, 15).flatten(1)
    q = q.to(torch.int32)
    packed = (q[:, 0::2] + 16 * q[:, 1::2]).to(torch.uint8)
    return packed, scale, zero.to(torch.uint8)


def dequantize_int4(packed: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor):
    p = packed.to(torch.int32)
    q = torch.empty(p.size(0), 2 * p.size(1), dtype=torch.int32)
    q[:, 0::2], q[:, 1::2] = p % 16, p // 16
    group_size = q.size(1) // scales.size(1)
    z = zeros.float().repeat_interleave(group_size, dim=1)
    s = scales.float().repeat_interleave(group_size, dim=1)
    return (q.float() - z) * s

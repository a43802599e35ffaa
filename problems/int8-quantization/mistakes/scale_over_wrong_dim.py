"""The scales are computed over the wrong dimension: per-channel quantization of a weight
[out, in, ...] keeps one scale per OUTPUT channel (dim 0), the max over each row, not per
input column.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().transpose(0, 1).flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    view = [1, -1] + [1] * (w.dim() - 2)
    q = torch.clamp(torch.round(w / scale.view(view)), -127, 127).to(torch.int8)
    return q, scale


def dequantize(q, scale):
    return q.float() * scale.float().view([1, -1] + [1] * (q.dim() - 2))

"""dequantize reshapes the scale for a 2-D weight only (`scale.view(-1, 1)`): for a 4-D
conv kernel [out, in, kh, kw] the scale must be [out, 1, 1, 1], one per output channel,
applied to everything in it. Reshape to `(-1,) + (1,) * (q.dim() - 1)`.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    q = torch.clamp(torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))), -127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, 1)

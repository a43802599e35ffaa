"""The singular values are missing: W ≈ U_r Σ_r V_rᵀ, and Σ_r must go into one of the two
factors (or its square root into both). U_r V_rᵀ alone has every singular value equal to 1.
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
    return _build(layer, vh[:rank], u[:, :rank])

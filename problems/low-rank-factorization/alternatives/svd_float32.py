"""SVD in float32 with the singular values folded entirely into the second factor."""

import torch
from torch import nn


def low_rank_linear(layer, rank):
    w = layer.weight.detach()
    if not (1 <= rank <= min(w.shape)):
        raise ValueError(f"rank {rank} not in [1, {min(w.shape)}]")
    u, s, vh = torch.linalg.svd(w, full_matrices=False)
    has_bias = layer.bias is not None
    model = nn.Sequential(
        nn.Linear(w.shape[1], rank, bias=False), nn.Linear(rank, w.shape[0], bias=has_bias)
    )
    with torch.no_grad():
        model[0].weight.copy_(vh[:rank])
        model[1].weight.copy_(u[:, :rank] * s[:rank])
        if has_bias:
            model[1].bias.copy_(layer.bias)
    return model

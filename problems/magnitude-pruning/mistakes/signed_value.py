"""You ranked the weights by their signed value, so large negative weights were pruned
first. Magnitude pruning ranks by |w|: a weight of -3 matters as much as one of +3.
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
    weights = _weights(model)
    flat = torch.cat([w.detach().flatten() for w in weights.values()])
    k = round(sparsity * flat.numel())
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    keep[torch.argsort(flat)[:k]] = False
    masks = {}
    for (name, w), chunk in zip(weights.items(), keep.split([w.numel() for w in weights.values()])):
        masks[name] = chunk.view_as(w)
        with torch.no_grad():
            w.mul_(masks[name])
    return masks

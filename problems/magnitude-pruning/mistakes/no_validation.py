"""Invalid arguments are not rejected: a sparsity outside [0, 1] or an unknown scope must
raise ValueError instead of silently pruning something.
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
    weights = _weights(model)
    groups = [list(weights)] if scope != "layer" else [[n] for n in weights]
    masks = {}
    for group in groups:
        flat = torch.cat([weights[n].detach().abs().flatten() for n in group])
        k = min(max(round(sparsity * flat.numel()), 0), flat.numel())
        keep = torch.ones(flat.numel(), dtype=torch.bool)
        keep[torch.argsort(flat, stable=True)[:k]] = False
        for n, chunk in zip(group, keep.split([weights[n].numel() for n in group])):
            masks[n] = chunk.view_as(weights[n])
            with torch.no_grad():
                weights[n].mul_(masks[n])
    return masks

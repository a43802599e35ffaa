"""The mask is inverted: it must be True for the weights that are KEPT and False for the
pruned ones.
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
    flat = torch.cat([w.detach().abs().flatten() for w in weights.values()])
    k = round(sparsity * flat.numel())
    pruned = torch.zeros(flat.numel(), dtype=torch.bool)
    pruned[torch.argsort(flat, stable=True)[:k]] = True
    masks = {}
    for (name, w), chunk in zip(
        weights.items(), pruned.split([w.numel() for w in weights.values()])
    ):
        masks[name] = chunk.view_as(w)
        with torch.no_grad():
            w[masks[name]] = 0.0
    return masks

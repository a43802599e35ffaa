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
    groups = [list(weights)] if scope == "global" else [[n] for n in weights]
    masks = {}
    for group in groups:
        flat = torch.cat([weights[n].detach().abs().flatten() for n in group])
        keep = torch.ones(flat.numel(), dtype=torch.bool)
        keep[torch.argsort(flat, stable=True)[: int(sparsity * flat.numel())]] = False
        for n, chunk in zip(group, keep.split([weights[n].numel() for n in group]), strict=False):
            masks[n] = chunk.view_as(weights[n])
            with torch.no_grad():
                weights[n].mul_(masks[n])
    return masks

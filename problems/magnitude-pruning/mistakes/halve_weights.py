"""Multiplying the weights by a factor (the source guide's "compression",
student = 0.5 · pretrained) removes nothing: every weight is still there, just rescaled, and
the model's outputs change. Pruning sets the smallest-magnitude weights exactly to zero.
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
    with torch.no_grad():
        for name, w in _weights(model).items():
            w.mul_(0.5)
            masks[name] = torch.ones_like(w, dtype=torch.bool)
    return masks

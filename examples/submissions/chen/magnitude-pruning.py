import torch
from torch import nn


def prune_by_magnitude(model, sparsity, scope="global"):
    masks = {}
    for name, module in model.named_modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            w = module.weight
            k = round(sparsity * w.numel())
            keep = torch.ones(w.numel(), dtype=torch.bool)
            keep[w.detach().abs().flatten().argsort()[:k]] = False
            masks[f"{name}.weight"] = keep.view_as(w)
    return masks

"""Correct, without torch.func: a hand-written forward pass over the nn.Sequential and
torch.autograd.grad(create_graph=True); learning rates looked up by name, multiplied with
torch.mul."""

import torch
import torch.nn.functional as F
from torch import nn


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    names = [n for n, _ in model.named_parameters()]
    weights = [p for _, p in model.named_parameters()]
    params = dict(zip(names, weights, strict=True))
    h = x
    for i, layer in enumerate(model):
        if isinstance(layer, nn.Linear):
            h = F.linear(h, params[f"{i}.weight"], params.get(f"{i}.bias"))
        else:
            h = layer(h)
    grads = torch.autograd.grad(loss_fn(h, y), weights, create_graph=True)
    return {
        n: torch.sub(w, torch.mul(lrs[n], g)) for n, w, g in zip(names, weights, grads, strict=True)
    }

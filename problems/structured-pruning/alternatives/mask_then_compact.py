"""Written differently: a boolean keep-mask per hidden layer from argsort of the L1 norms
(a stable argsort settles ties by index), then the
deep-copied layers' .data are replaced by the masked tensors."""

import copy

import torch
from torch import nn


def _keep_mask(scores: torch.Tensor, remove: int) -> torch.Tensor:
    # Ascending stable sort of -scores puts the largest first and keeps index order on ties.
    order = torch.argsort(-scores, stable=True)
    mask = torch.zeros(scores.numel(), dtype=torch.bool)
    mask[order[: scores.numel() - remove]] = True
    return mask


def prune_neurons(model: nn.Sequential, amount: float) -> nn.Sequential:
    if not (0.0 <= amount <= 1.0):
        raise ValueError(f"bad amount {amount}")
    for layer in model:
        if not isinstance(layer, nn.Linear) and sum(p.numel() for p in layer.parameters()):
            raise ValueError(f"{layer} has parameters")
    out = copy.deepcopy(model)
    linears = [m for m in out if isinstance(m, nn.Linear)]
    masks = []
    for lin in linears[:-1]:
        h = lin.out_features
        masks.append(_keep_mask(lin.weight.detach().abs().sum(1), min(round(amount * h), h - 1)))
    for lin, nxt, mask in zip(linears[:-1], linears[1:], masks, strict=True):
        lin.weight.data = lin.weight.data[mask]
        if lin.bias is not None:
            lin.bias.data = lin.bias.data[mask]
        nxt.weight.data = nxt.weight.data[:, mask]
        lin.out_features = nxt.in_features = int(mask.sum())
    return out

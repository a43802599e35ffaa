"""Written differently: fresh nn.Linear layers filled by index_select, units ranked with
Python's sorted on (-score, index), layers rebuilt into a new Sequential."""

import torch
from torch import nn


def prune_neurons(model, amount):
    if amount < 0 or amount > 1:
        raise ValueError("amount must be in [0, 1]")
    layers = list(model)
    if any(not isinstance(m, nn.Linear) and len(list(m.parameters())) > 0 for m in layers):
        raise ValueError("only nn.Linear layers may have parameters")
    where = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    keep = {}
    for i in where[:-1]:
        scores = torch.linalg.vector_norm(layers[i].weight.detach(), ord=1, dim=1).tolist()
        h = len(scores)
        n_keep = h - min(round(amount * h), h - 1)
        best = sorted(range(h), key=lambda u: (-scores[u], u))[:n_keep]
        keep[i] = torch.tensor(sorted(best))
    new_layers = []
    previous = None
    for i, m in enumerate(layers):
        if not isinstance(m, nn.Linear):
            new_layers.append(m)
            continue
        rows = keep.get(i, torch.arange(m.out_features))
        cols = previous if previous is not None else torch.arange(m.in_features)
        new = nn.Linear(len(cols), len(rows), bias=m.bias is not None, dtype=m.weight.dtype)
        with torch.no_grad():
            w = m.weight.detach().index_select(0, rows).index_select(1, cols)
            new.weight.copy_(w)
            if m.bias is not None:
                new.bias.copy_(m.bias.detach().index_select(0, rows))
        new_layers.append(new)
        previous = rows
    return nn.Sequential(*new_layers)

"""Through the eigenvectors of the Gram matrix WᵀW (the right singular vectors): project the
input onto the top-r of them, then apply W to that projection."""

import torch
from torch import nn


def low_rank_linear(layer, rank):
    out_f, in_f = layer.weight.shape
    if rank < 1 or rank > min(in_f, out_f):
        raise ValueError("rank out of range")
    w = layer.weight.detach().double()
    _, vecs = torch.linalg.eigh(w.T @ w)  # ascending eigenvalues
    v = vecs[:, -rank:]
    first = nn.Linear(in_f, rank, bias=False)
    second = nn.Linear(rank, out_f, bias=layer.bias is not None)
    with torch.no_grad():
        first.weight.copy_(v.T.float())
        second.weight.copy_((w @ v).float())
        if layer.bias is not None:
            second.bias.copy_(layer.bias)
    return nn.Sequential(first, second)

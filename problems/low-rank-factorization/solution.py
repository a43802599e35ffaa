"""Reference solution: truncated SVD, as in reference/compress.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.compress.low_rank_linear.
"""

from __future__ import annotations

import torch
from torch import nn


def low_rank_linear(layer: nn.Linear, rank: int) -> nn.Sequential:
    """The best rank-``rank`` factorisation of ``layer`` (truncated SVD, Eckart–Young).

    W ≈ U_r Σ_r V_rᵀ becomes Linear(in, rank, bias=False) with weight Σ_r^½ V_rᵀ followed by
    Linear(rank, out) with weight U_r Σ_r^½ and the original bias: (in + out)·rank weights
    instead of in·out, worth it when rank < in·out / (in + out).
    """
    out_f, in_f = layer.weight.shape
    if not 1 <= rank <= min(in_f, out_f):
        raise ValueError(f"rank must lie in [1, {min(in_f, out_f)}], got {rank}")
    w = layer.weight.detach()
    u, s, vh = torch.linalg.svd(w.to(torch.float64), full_matrices=False)
    root = s[:rank].sqrt()
    first = nn.Linear(in_f, rank, bias=False, dtype=w.dtype)
    second = nn.Linear(rank, out_f, bias=layer.bias is not None, dtype=w.dtype)
    with torch.no_grad():
        first.weight.copy_((root[:, None] * vh[:rank]).to(w.dtype))
        second.weight.copy_((u[:, :rank] * root[None, :]).to(w.dtype))
        if layer.bias is not None:
            second.bias.copy_(layer.bias.detach())
    return nn.Sequential(first, second)


__all__ = ["low_rank_linear"]

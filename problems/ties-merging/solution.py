"""Reference solution: TIES-merging, as in reference/fuse.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.fuse.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

StateDict = dict[str, Tensor]


def _check_compatible(pretrained: StateDict, finetuned: Sequence[StateDict]) -> None:
    if len(finetuned) == 0:
        raise ValueError("need at least one fine-tuned model")
    for i, sd in enumerate(finetuned):
        if set(sd) != set(pretrained):
            raise ValueError(f"fine-tuned model {i} has different keys")
        for k, v in sd.items():
            if v.shape != pretrained[k].shape:
                raise ValueError(f"{k!r}: shape {tuple(v.shape)} != {tuple(pretrained[k].shape)}")


def _keep_top_magnitudes(tau: Tensor, density: float) -> Tensor:
    """``tau`` with all but its ``round(density * numel)`` largest magnitudes set to zero.

    Among equal magnitudes the lower flat index is kept (a stable sort).
    """
    k = round(density * tau.numel())
    flat = tau.reshape(-1)
    order = torch.sort(flat.abs(), descending=True, stable=True).indices
    kept = torch.zeros_like(flat)
    kept[order[:k]] = flat[order[:k]]
    return kept.reshape(tau.shape)


def ties_merge(
    pretrained: StateDict, finetuned: Sequence[StateDict], density: float, scale: float
) -> StateDict:
    """TIES-merging: trim, elect sign, disjoint mean, then θ = θ_pre + scale·τ_merged."""
    if not 0.0 < density <= 1.0:
        raise ValueError(f"density must be in (0, 1], got {density}")
    _check_compatible(pretrained, finetuned)
    out: StateDict = {}
    for k, v in pretrained.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        taus = [ft[k].detach() - v.detach() for ft in finetuned]
        trimmed = torch.stack([_keep_top_magnitudes(t, density) for t in taus])
        trimmed = trimmed.to(torch.float64)
        elected = trimmed.sum(dim=0).sign()
        agree = (trimmed.sign() == elected) & (trimmed != 0)
        count = agree.sum(dim=0)
        merged = (trimmed * agree).sum(dim=0) / count.clamp(min=1)
        out[k] = (v.detach().to(torch.float64) + scale * merged).to(v.dtype)
    return out


__all__ = ["ties_merge"]

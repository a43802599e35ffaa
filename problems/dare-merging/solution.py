"""Reference solution: DARE merging, as in reference/fuse.py.

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


def dare_merge(
    pretrained: StateDict,
    finetuned: Sequence[StateDict],
    drop_rate: float,
    scale: float,
    generator: torch.Generator,
) -> StateDict:
    """θ = θ_pre + scale·Σ_i τ̃_i, τ̃_i = τ_i ⊙ mask_i / (1 − drop_rate), masks from ``generator``."""
    if not 0.0 <= drop_rate < 1.0:
        raise ValueError(f"drop_rate must be in [0, 1), got {drop_rate}")
    _check_compatible(pretrained, finetuned)
    floating = [k for k, v in pretrained.items() if v.is_floating_point()]
    total = {k: torch.zeros(pretrained[k].shape, dtype=torch.float64) for k in floating}
    for ft in finetuned:  # model by model, then key by key: the order of the draws
        for k in floating:
            tau = (ft[k].detach() - pretrained[k].detach()).to(torch.float64)
            keep = torch.rand(tau.shape, generator=generator) >= drop_rate
            total[k] += torch.where(keep, tau / (1.0 - drop_rate), 0.0)
    return {
        k: (v.detach().to(torch.float64) + scale * total[k]).to(v.dtype) if k in total
        else v.clone()
        for k, v in pretrained.items()
    }  # fmt: skip


__all__ = ["dare_merge"]

"""Reference solution: task vectors, as in reference/fuse.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.fuse.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

StateDict = dict[str, Tensor]


def _check_compatible(state_dicts: Sequence[StateDict], what: str = "state dicts") -> None:
    if len(state_dicts) == 0:
        raise ValueError(f"need at least one of the {what}")
    first = state_dicts[0]
    for i, sd in enumerate(state_dicts[1:], start=1):
        if set(sd) != set(first):
            raise ValueError(f"{what} 0 and {i} have different keys")
        for k, v in sd.items():
            if v.shape != first[k].shape:
                raise ValueError(f"{k!r}: shape {tuple(v.shape)} != {tuple(first[k].shape)}")


def task_vector(pretrained: StateDict, finetuned: StateDict) -> StateDict:
    """τ = θ_finetuned − θ_pretrained over the floating tensors only."""
    _check_compatible([pretrained, finetuned])
    return {
        k: finetuned[k].detach() - v.detach()
        for k, v in pretrained.items()
        if v.is_floating_point()
    }


def apply_task_vectors(
    pretrained: StateDict, vectors: Sequence[StateDict], scale: float
) -> StateDict:
    """θ = θ_pretrained + scale·Σ τ_i; non-floating tensors copied from ``pretrained``.

    A negative ``scale`` subtracts the tasks ("forgetting"). Every result tensor is new
    (with no vectors too) and has the pretrained tensor's dtype.
    """
    floating = {k for k, v in pretrained.items() if v.is_floating_point()}
    for i, tau in enumerate(vectors):
        if set(tau) != floating:
            raise ValueError(f"task vector {i} does not match the pretrained floating tensors")
        for k in floating:
            if tau[k].shape != pretrained[k].shape:
                raise ValueError(f"task vector {i}: {k!r} has shape {tuple(tau[k].shape)}")
    out: StateDict = {}
    for k, v in pretrained.items():
        if k not in floating:
            out[k] = v.clone()
            continue
        total = sum((tau[k].detach() for tau in vectors), torch.zeros_like(v))
        out[k] = (v.detach() + scale * total).to(v.dtype)
    return out


__all__ = ["apply_task_vectors", "task_vector"]

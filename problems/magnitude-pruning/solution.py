"""Reference solution: top-k of |w| over Linear/Conv2d weights, as in reference/compress.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.compress.magnitude_prune.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

PRUNABLE = (nn.Linear, nn.Conv2d)


def prunable_weights(model: nn.Module) -> dict[str, Tensor]:
    """``{parameter name: weight}`` of every Linear and Conv2d, in ``named_modules`` order."""
    return {
        (f"{name}.weight" if name else "weight"): module.weight
        for name, module in model.named_modules()
        if isinstance(module, PRUNABLE)
    }


def _smallest_mask(magnitudes: Tensor, sparsity: float) -> Tensor:
    """Bool mask (True = kept) zeroing the round(sparsity·n) smallest entries, as prune does."""
    n = magnitudes.numel()
    k = round(sparsity * n)  # Python's round, exactly as prune._compute_nparams_toprune
    mask = torch.ones(n, dtype=torch.bool)
    if k > 0:
        mask[torch.topk(magnitudes.flatten(), k, largest=False).indices] = False
    return mask.view_as(magnitudes)


def magnitude_prune(model: nn.Module, sparsity: float, scope: str = "global") -> dict[str, Tensor]:
    """Zero the ``round(sparsity·n)`` smallest-|w| Linear/Conv2d weights of ``model`` in place.

    ``scope="global"`` ranks all prunable weights together (n = their total count, so layers
    lose different fractions); ``scope="layer"`` prunes each layer to ``sparsity`` separately.
    Biases are untouched. Returns ``{parameter name: bool mask}`` with True = kept.
    """
    if not 0.0 <= sparsity <= 1.0:  # also rejects NaN
        raise ValueError(f"sparsity must lie in [0, 1], got {sparsity}")
    if scope not in ("global", "layer"):
        raise ValueError(f"scope must be 'global' or 'layer', got {scope!r}")
    weights = prunable_weights(model)
    if scope == "layer":
        masks = {name: _smallest_mask(w.detach().abs(), sparsity) for name, w in weights.items()}
    else:
        flat = torch.cat([w.detach().abs().flatten() for w in weights.values()])
        keep = _smallest_mask(flat, sparsity).split([w.numel() for w in weights.values()])
        masks = {name: m.view_as(w) for (name, w), m in zip(weights.items(), keep, strict=True)}
    with torch.no_grad():
        for name, w in weights.items():
            w.mul_(masks[name].to(w.dtype))
    return masks


__all__ = ["magnitude_prune"]

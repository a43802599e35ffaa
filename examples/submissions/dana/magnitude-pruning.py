import torch
from torch import nn

PRUNABLE = (nn.Linear, nn.Conv2d)


def _prune_mask(magnitudes: torch.Tensor, sparsity: float) -> torch.Tensor:
    """A flat bool mask that drops the round(sparsity * n) smallest entries."""
    k = round(sparsity * magnitudes.numel())
    keep = torch.ones(magnitudes.numel(), dtype=torch.bool)
    keep[torch.argsort(magnitudes, stable=True)[:k]] = False
    return keep


def magnitude_prune(
    model: nn.Module, sparsity: float, scope: str = "global"
) -> dict[str, torch.Tensor]:
    """Zero the round(sparsity * n) smallest |w| of every Linear/Conv2d weight, in place."""
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    if scope not in ("global", "layer"):
        raise ValueError(f"scope must be 'global' or 'layer', got {scope!r}")
    weights = {
        f"{name}.weight" if name else "weight": m.weight
        for name, m in model.named_modules()
        if isinstance(m, PRUNABLE)
    }
    masks: dict[str, torch.Tensor] = {}
    if scope == "global":
        flat = torch.cat([w.detach().abs().flatten() for w in weights.values()])
        keep = _prune_mask(flat, sparsity)
        for name, chunk in zip(
            weights, keep.split([w.numel() for w in weights.values()]), strict=True
        ):
            masks[name] = chunk.view_as(weights[name])
    else:
        for name, w in weights.items():
            masks[name] = _prune_mask(w.detach().abs().flatten(), sparsity).view_as(w)
    with torch.no_grad():
        for name, w in weights.items():
            w.mul_(masks[name])
    return masks

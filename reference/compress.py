"""Model compression: magnitude pruning, int8 per-channel quantization, low-rank factorisation.

Pruning follows Han et al. 2015 ("Learning both Weights and Connections"): remove the
smallest-magnitude weights, then fine-tune with the pruned weights held at zero, repeating at
growing sparsity. Counting matches ``torch.nn.utils.prune`` (``round(sparsity * n)`` weights
removed), so its masks can serve as an independent check. This is what the source guide's
"compression" (multiplying every weight by 0.5) is not: that changes no model size at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
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


def apply_masks(model: nn.Module, masks: dict[str, Tensor]) -> None:
    """Re-zero the pruned weights (after an optimiser step moved them)."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, mask in masks.items():
            params[name].mul_(mask.to(params[name].dtype))


def finetune_pruned(
    model: nn.Module,
    masks: dict[str, Tensor],
    x: Tensor,
    y: Tensor,
    *,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int = 64,
    seed: int = 0,
) -> nn.Module:
    """Train on cross-entropy with the pruned weights held at zero (masked after every step)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            apply_masks(model, masks)  # Adam's momentum would otherwise revive pruned weights
    model.eval()
    return model


def iterative_prune(
    model: nn.Module,
    sparsities: list[float],
    x: Tensor,
    y: Tensor,
    *,
    scope: str = "global",
    epochs: int = 10,
    lr: float = 1e-3,
    seed: int = 0,
) -> dict[str, Tensor]:
    """Han et al.'s loop: for each target in the increasing ``sparsities``, prune then fine-tune.

    Already-pruned weights have magnitude zero, so each round's mask contains the previous one.
    Returns the final masks.
    """
    masks: dict[str, Tensor] = {}
    for i, s in enumerate(sparsities):
        masks = magnitude_prune(model, s, scope)
        finetune_pruned(model, masks, x, y, epochs=epochs, lr=lr, seed=seed + i)
    return masks


def quantize_per_channel(weight: Tensor) -> tuple[Tensor, Tensor]:
    """Symmetric per-output-channel int8: ``q = clamp(round(w / s_c), -127, 127)``.

    ``s_c = max|w_c| / 127`` per row (dim 0) of a 2-D or 4-D weight; an all-zero channel gets
    ``s_c = 1.0`` so that nothing divides by zero. -128 is never used, keeping the range
    symmetric. Returns ``(q int8 of weight's shape, scale float32 [out_channels])``.
    """
    if weight.dim() not in (2, 4):
        raise ValueError(f"expected a 2-D or 4-D weight, got {weight.dim()}-D")
    w = weight.detach().to(torch.float32)
    max_abs = w.abs().flatten(1).amax(dim=1)
    scale = torch.where(max_abs > 0, max_abs / 127.0, torch.ones_like(max_abs))
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.clamp(torch.round(w / scale.view(shape)), -127, 127).to(torch.int8)
    return q, scale


def dequantize(q: Tensor, scale: Tensor) -> Tensor:
    """float32 ``q · scale``, the scale broadcast over every dimension after the first."""
    shape = (-1,) + (1,) * (q.dim() - 1)
    return q.to(torch.float32) * scale.to(torch.float32).view(shape)


def fake_quantize(model: nn.Module) -> nn.Module:
    """Replace every Linear/Conv2d weight by ``dequantize(quantize_per_channel(w))``, in place.

    The model then computes exactly what an int8-weight model would (with float activations),
    so its accuracy is the quantized model's accuracy.
    """
    with torch.no_grad():
        for w in prunable_weights(model).values():
            w.copy_(dequantize(*quantize_per_channel(w)))
    return model


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


@dataclass(frozen=True)
class ModelSize:
    """What a model costs to store."""

    parameters: int
    """Number of parameter entries."""
    nonzeros: int
    """Entries that are not exactly zero (what a sparse format would store)."""
    dense_bytes: int
    """Bytes of every parameter stored densely at ``bits`` per entry."""
    sparse_bytes: int
    """Bytes storing only the non-zeros at ``bits`` each plus a 32-bit index for each (COO)."""


def model_size(model: nn.Module, bits: int = 32) -> ModelSize:
    """Count parameters and non-zeros and the bytes they take at ``bits`` per value."""
    params = [p.detach() for p in model.parameters()]
    n = sum(p.numel() for p in params)
    nnz = sum(int(torch.count_nonzero(p)) for p in params)
    return ModelSize(
        parameters=n,
        nonzeros=nnz,
        dense_bytes=(n * bits + 7) // 8,
        sparse_bytes=(nnz * bits + 7) // 8 + 4 * nnz,
    )


def int8_model_bytes(model: nn.Module) -> int:
    """Bytes of ``model`` with Linear/Conv2d weights in int8 plus one float32 scale per output
    channel, and every other parameter (biases) kept in float32."""
    weights = {id(w) for w in prunable_weights(model).values()}
    total = 0
    for p in model.parameters():
        total += p.numel() + 4 * p.shape[0] if id(p) in weights else 4 * p.numel()
    return total

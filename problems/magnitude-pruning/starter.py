"""Unstructured magnitude pruning of a model's Linear and Conv2d weights."""

import torch
from torch import nn


def magnitude_prune(
    model: nn.Module, sparsity: float, scope: str = "global"
) -> dict[str, torch.Tensor]:
    """Zero the smallest-magnitude weights of every nn.Linear and nn.Conv2d, in place.

    round(sparsity * n) weights are pruned, n counted over all prunable weights
    (scope="global") or per layer (scope="layer"). Biases and other parameters are untouched.
    Returns {parameter name (as in model.named_parameters()): bool mask, True = kept}.
    Raises ValueError if sparsity is outside [0, 1] or scope is unknown.
    """
    raise NotImplementedError

"""N:M semi-structured sparsity: keep n of every m consecutive weights."""

import torch


def nm_mask(weight: torch.Tensor, n: int = 2, m: int = 4) -> torch.Tensor:
    """Bool mask of weight's shape, True = kept: the n largest |w| of every m consecutive
    entries along the last dimension (groups start at index 0).

    Ties keep the earlier entry. A trailing partial group of p < m entries keeps its
    min(n, p) largest. weight is not modified. Raises ValueError unless 1 <= n <= m, or if
    weight is 0-dimensional.
    """
    raise NotImplementedError

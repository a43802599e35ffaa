"""Fisher merging: an elementwise, precision-weighted average of models."""

import torch


def fisher_merge(
    state_dicts: list[dict[str, torch.Tensor]],
    fishers: list[dict[str, torch.Tensor]],
    eps: float = 1e-8,
) -> dict[str, torch.Tensor]:
    """Elementwise sum_i F~_i * theta_i / sum_i F~_i with F~_i = F_i + eps.

    fishers[i] maps names of floating-point tensors of state_dicts[i] to diagonal Fishers of
    the same shape; a floating tensor without an entry counts as zero Fisher. Non-floating
    tensors are copied from the first state dict; every tensor keeps its dtype. Raises
    ValueError for an empty list, state dicts with different keys or shapes,
    len(fishers) != len(state_dicts), or a Fisher entry of the wrong shape.
    """
    raise NotImplementedError

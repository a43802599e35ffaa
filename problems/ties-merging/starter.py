"""TIES-merging: trim each task vector, elect a sign per entry, average the agreeing entries."""

import torch


def ties_merge(
    pretrained: dict[str, torch.Tensor],
    finetuned: list[dict[str, torch.Tensor]],
    density: float,
    scale: float,
) -> dict[str, torch.Tensor]:
    """theta_pre + scale * TIES(tau_1, ..., tau_n), with tau_i = finetuned[i] - pretrained.

    Per floating-point tensor: keep each tau_i's round(density * numel) largest magnitudes
    (ties: lower flat index first), elect the sign of the summed trimmed vectors, and average
    the nonzero trimmed entries with that sign. Non-floating tensors are copied from
    pretrained. Raises ValueError for an empty list, mismatched keys or shapes, or a density
    outside (0, 1].
    """
    raise NotImplementedError

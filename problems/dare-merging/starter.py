"""DARE: drop each task-vector entry at random, rescale the survivors, add as task arithmetic."""

import torch


def dare_merge(
    pretrained: dict[str, torch.Tensor],
    finetuned: list[dict[str, torch.Tensor]],
    drop_rate: float,
    scale: float,
    generator: torch.Generator,
) -> dict[str, torch.Tensor]:
    """theta_pre + scale * sum_i DARE(tau_i), with tau_i = finetuned[i] - pretrained.

    For each fine-tuned model in order, then each floating key in pretrained's order:
    u = torch.rand(shape, generator=generator); an entry survives when u >= drop_rate and is
    multiplied by 1 / (1 - drop_rate). Non-floating tensors are copied from pretrained.
    Raises ValueError for an empty list, mismatched keys or shapes, or drop_rate outside [0, 1).
    """
    raise NotImplementedError

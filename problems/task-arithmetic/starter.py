"""Task arithmetic: task vectors and their application to a pretrained model."""

import torch


def task_vector(
    pretrained: dict[str, torch.Tensor], finetuned: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """tau = finetuned - pretrained, for the floating-point tensors only.

    Raises ValueError if the two state dicts have different keys or shapes.
    """
    raise NotImplementedError


def apply_task_vectors(
    pretrained: dict[str, torch.Tensor], vectors: list[dict[str, torch.Tensor]], scale: float
) -> dict[str, torch.Tensor]:
    """theta = pretrained + scale * sum(vectors); non-floating tensors copied from pretrained.

    Raises ValueError if a vector's keys are not exactly pretrained's floating-point keys.
    """
    raise NotImplementedError

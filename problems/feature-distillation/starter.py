"""FitNets' hint loss (Romero et al. 2015)."""

import torch
from torch import nn


def hint_loss(
    student_features: torch.Tensor, teacher_features: torch.Tensor, regressor: nn.Module
) -> torch.Tensor:
    """0.5 * ||teacher_features - regressor(student_features)||^2, summed over every non-batch
    dimension and averaged over the batch, as a scalar tensor.

    student_features: [B, ...] (the student's guided layer); teacher_features: [B, ...] (the
    teacher's hint layer); regressor maps the first to the shape of the second.
    Gradients reach the student's features and the regressor's parameters, never the
    teacher's features. Neither the inputs nor the regressor may be modified.
    Raises ValueError if the batch sizes differ or regressor(student_features) does not have
    the teacher's shape.
    """
    raise NotImplementedError

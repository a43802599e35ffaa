"""Decoupled knowledge distillation (Zhao et al. 2022)."""

import torch
import torch.nn.functional as F  # noqa: F401  (you will probably want it)


def decoupled_kd_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    alpha: float,
    beta: float | torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """alpha * T^2 * TCKD + beta * T^2 * NCKD, averaged over the batch, as a scalar tensor.

    student_logits, teacher_logits: [batch, classes] (classes >= 2); labels: int64 [batch].
    TCKD: KL between the teacher's and the student's binary distributions
    [p_target, 1 - p_target] at temperature T. NCKD: KL between their distributions over the
    non-target classes only, renormalised (a softmax over the C - 1 non-target logits / T).
    beta: a float, or a [batch] tensor of per-example weights applied before the batch mean.
    No gradient may reach teacher_logits; the inputs must not be modified.
    Raises ValueError for bad shapes, labels out of range, fewer than 2 classes or T <= 0.
    """
    raise NotImplementedError

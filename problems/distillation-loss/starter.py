"""Knowledge-distillation loss (Hinton et al. 2015)."""

import torch
import torch.nn.functional as F  # noqa: F401  (you will probably want it)


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    temperature: float,
    alpha: float,
) -> torch.Tensor:
    """The distillation loss of a batch, as a scalar tensor.

    student_logits, teacher_logits: float32 [batch, classes]; labels: int64 [batch].
    Returns alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T))
    + (1 - alpha) * cross_entropy(student_logits, labels), where the KL is summed over the
    classes and both terms are averaged over the batch. No gradient may reach teacher_logits.
    """
    raise NotImplementedError

"""torch.linalg.vector_norm of each example's flattened difference, squared; the dtype of
the features kept throughout."""

import torch


def hint_loss(student_features, teacher_features, regressor):
    n = student_features.shape[0]
    if student_features.dim() < 2 or teacher_features.shape[0] != n:
        raise ValueError("batch")
    out = regressor(student_features)
    if tuple(out.shape) != tuple(teacher_features.shape):
        raise ValueError("shape")
    diff = (out - teacher_features.detach()).reshape(n, -1)
    return (torch.linalg.vector_norm(diff, dim=1) ** 2).sum() / (2 * n)

"""F.mse_loss with reduction="sum", then ½ and a division by the batch size; the teacher's
features taken as data under torch.no_grad()."""

import torch
import torch.nn.functional as F


def hint_loss(student_features, teacher_features, regressor):
    if student_features.ndim < 2 or len(student_features) != len(teacher_features):
        raise ValueError("batch sizes differ")
    out = regressor(student_features)
    if out.shape != teacher_features.shape:
        raise ValueError("the regressor does not map onto the teacher's shape")
    with torch.no_grad():
        target = teacher_features.clone()
    return 0.5 * F.mse_loss(out, target, reduction="sum") / len(out)

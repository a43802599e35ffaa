"""The squared error is summed over the batch too: the hint loss is a batch mean, so its
scale does not change with the batch size.
"""

import torch.nn.functional as F  # noqa: F401


def hint_loss(student_features, teacher_features, regressor):
    if student_features.dim() < 2 or student_features.shape[0] != teacher_features.shape[0]:
        raise ValueError("batch sizes differ")
    student = student_features
    guess = regressor(student)
    if guess.shape != teacher_features.shape:
        raise ValueError("the regressor does not map onto the teacher's shape")
    target = teacher_features.detach()
    return 0.5 * (guess - target).pow(2).sum()

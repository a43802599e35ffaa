"""Gradient flows into the teacher's features: the hint is a fixed target; detach it (the
teacher is not trained by the student's loss).
"""

import torch.nn.functional as F  # noqa: F401


def hint_loss(student_features, teacher_features, regressor):
    if student_features.dim() < 2 or student_features.shape[0] != teacher_features.shape[0]:
        raise ValueError("batch sizes differ")
    student = student_features
    guess = regressor(student)
    if guess.shape != teacher_features.shape:
        raise ValueError("the regressor does not map onto the teacher's shape")
    target = teacher_features
    return 0.5 * (guess - target).pow(2).flatten(1).sum(1).mean()

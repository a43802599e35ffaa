"""No shape checks: teacher features of another shape than regressor(student_features), or
another batch size, must raise ValueError; here they fail with a broadcasting error or,
worse, broadcast silently (one teacher channel against many) into a meaningless loss.
"""

from torch import Tensor, nn


def hint_loss(student_features: Tensor, teacher_features: Tensor, regressor: nn.Module) -> Tensor:
    diff = regressor(student_features) - teacher_features.detach()
    return 0.5 * diff.pow(2).flatten(1).sum(dim=1).mean()

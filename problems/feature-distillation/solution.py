"""Reference solution: FitNets' hint loss, as in reference/distill.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.distill.hint_loss.
"""

from __future__ import annotations

from torch import Tensor, nn


def hint_loss(student_features: Tensor, teacher_features: Tensor, regressor: nn.Module) -> Tensor:
    """½‖teacher − regressor(student)‖², summed over features, batch mean; teacher detached."""
    if student_features.shape[:1] != teacher_features.shape[:1] or student_features.dim() < 2:
        raise ValueError(
            f"features must be [batch, ...] with one batch size; got "
            f"{tuple(student_features.shape)} and {tuple(teacher_features.shape)}"
        )
    guess = regressor(student_features)
    if guess.shape != teacher_features.shape:
        raise ValueError(
            f"the regressor maps the student's features to {tuple(guess.shape)}, "
            f"not to the teacher's {tuple(teacher_features.shape)}"
        )
    diff = guess - teacher_features.detach()
    return 0.5 * diff.pow(2).flatten(1).sum(dim=1).mean()


__all__ = ["hint_loss"]

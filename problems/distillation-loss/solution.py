"""Reference solution: the project's own distillation loss."""

from reference.distill import distillation_loss

__all__ = ["distillation_loss"]

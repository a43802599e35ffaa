"""Reference solution: the project's distillation (T = 4, alpha = 0.9, mixup transfer set)."""

from reference.distill import distill

__all__ = ["distill"]

"""Reference solution: reference/maml.py (first-order adapt, then interpolate)."""

from reference.maml import reptile_step

__all__ = ["reptile_step"]

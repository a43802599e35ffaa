"""Reference solution: the project's own magnitude pruning (top-k of |w|)."""

from reference.compress import magnitude_prune

__all__ = ["magnitude_prune"]

"""Reference solution: the project's own truncated-SVD factorisation."""

from reference.compress import low_rank_linear

__all__ = ["low_rank_linear"]

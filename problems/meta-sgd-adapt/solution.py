"""Reference solution: reference/maml.py (one functional step with create_graph=True)."""

from reference.maml import meta_sgd_adapt

__all__ = ["meta_sgd_adapt"]

"""Reference solution: reference/maml.py, one task at a time with a shared θ.

(alternatives/ holds a nested torch.func.grad version and a per-task .backward() version.)
"""

from reference.maml import maml_meta_gradient

__all__ = ["maml_meta_gradient"]

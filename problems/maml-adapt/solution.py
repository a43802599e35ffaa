"""Reference solution: the plain-autograd inner loop of reference/maml.py.

(alternatives/ holds a torch.func.grad version and a hand-written forward pass.)
"""

from reference.maml import adapt

__all__ = ["adapt"]

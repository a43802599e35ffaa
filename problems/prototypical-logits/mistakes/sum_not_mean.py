"""The prototypes are sums of the class embeddings, not means: a prototype then scales
with the number of shots, and classes with more support examples sit farther out.
"""

import torch


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    prototypes = torch.stack([support[support_y == k].sum(0) for k in range(n_way)])
    return -torch.cdist(query, prototypes).pow(2)

"""The logits are computed outside autograd (numpy, torch.no_grad() or .detach()): values
are right, but no gradient reaches the embeddings, so the embedding network of a
prototypical network cannot be trained through this loss.
"""

import torch


def prototypical_logits(support, support_y, query, n_way):
    dtype = torch.promote_types(support.dtype, query.dtype)  # mixed inputs: the wider
    support, query = support.to(dtype), query.to(dtype)
    with torch.no_grad():
        prototypes = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
        return -(query.unsqueeze(1) - prototypes.unsqueeze(0)).pow(2).sum(-1)

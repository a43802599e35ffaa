"""Written differently: an entry's rank in its group is the number of entries that beat it
(larger |w|, or equal |w| at a smaller index); keep it when the rank is below n. The padding
is -1, below every |w|, so padded slots never beat a real entry."""

import torch


def nm_mask(weight: torch.Tensor, n: int = 2, m: int = 4) -> torch.Tensor:
    if not (isinstance(n, int) and 0 < n <= m) or weight.dim() < 1:
        raise ValueError(f"invalid n:m = {n}:{m} for a {weight.dim()}-D weight")
    cols = weight.shape[-1]
    pad = -cols % m
    a = torch.cat([weight.detach().abs(), weight.new_full((*weight.shape[:-1], pad), -1.0)], -1)
    g = a.unflatten(-1, (-1, m))  # (..., groups, m)
    idx = torch.arange(m)
    bigger = g.unsqueeze(-2) > g.unsqueeze(-1)  # [..., i, j]: entry j beats entry i by size
    equal_earlier = (g.unsqueeze(-2) == g.unsqueeze(-1)) & (idx[None, :] < idx[:, None])
    rank = (bigger | equal_earlier).sum(-1)
    return (rank < n).flatten(-2)[..., :cols]

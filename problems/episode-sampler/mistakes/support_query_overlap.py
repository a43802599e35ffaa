"""Support and query are sampled independently within a class, so the same example can be
in both: the query then tests memorisation, not generalisation from the support set.
Draw k_shot + n_query distinct examples once and split them."""

import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    if n_way <= 0 or k_shot <= 0 or n_query <= 0:
        raise ValueError("sizes must be positive")
    labels = torch.as_tensor(labels).reshape(-1)
    classes, counts = torch.unique(labels, return_counts=True)
    eligible = classes[counts >= k_shot + n_query]
    if len(eligible) < n_way:
        raise ValueError("too few eligible classes")
    gen = torch.Generator().manual_seed(int(seed))
    chosen = eligible[torch.randperm(len(eligible), generator=gen)[:n_way]]
    s, q = [], []
    for c in chosen:
        members = torch.nonzero(labels == c).reshape(-1)
        s.append(members[torch.randperm(len(members), generator=gen)[:k_shot]])
        q.append(members[torch.randperm(len(members), generator=gen)[:n_query]])
    ways = torch.arange(n_way)
    return (
        torch.cat(s),
        ways.repeat_interleave(k_shot),
        torch.cat(q),
        ways.repeat_interleave(n_query),
    )

"""Classes with fewer than k_shot + n_query examples can be drawn (the eligibility test
forgot the query set, or there is none): such a class cannot fill its query set, so the
episode comes out short or repeats examples. Only classes with at least k_shot + n_query
examples are eligible."""

import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    if n_way <= 0 or k_shot <= 0 or n_query <= 0:
        raise ValueError("sizes must be positive")
    labels = torch.as_tensor(labels).reshape(-1)
    classes, counts = torch.unique(labels, return_counts=True)
    eligible = classes[counts >= k_shot]
    if len(eligible) < n_way:
        raise ValueError("too few eligible classes")
    gen = torch.Generator().manual_seed(int(seed))
    chosen = eligible[torch.randperm(len(eligible), generator=gen)[:n_way]]
    s, q, sy, qy = [], [], [], []
    for way, c in enumerate(chosen):
        members = torch.nonzero(labels == c).reshape(-1)
        picked = members[torch.randperm(len(members), generator=gen)[: k_shot + n_query]]
        s.append(picked[:k_shot])
        q.append(picked[k_shot:])
        sy.append(torch.full((len(picked[:k_shot]),), way))
        qy.append(torch.full((len(picked[k_shot:]),), way))
    return torch.cat(s), torch.cat(sy), torch.cat(q), torch.cat(qy)

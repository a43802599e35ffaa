"""The classes are not drawn uniformly: picking them through random examples (shuffling all
indices and taking the classes in order of appearance) favours classes with many
examples. Draw among the eligible classes themselves, each with the same probability."""

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
    ok = torch.isin(labels, eligible)
    order = torch.nonzero(ok).reshape(-1)[torch.randperm(int(ok.sum()), generator=gen)]
    chosen = []
    for i in order.tolist():
        c = int(labels[i])
        if c not in chosen:
            chosen.append(c)
        if len(chosen) == n_way:
            break
    s, q = [], []
    for c in chosen:
        members = torch.nonzero(labels == c).reshape(-1)
        picked = members[torch.randperm(len(members), generator=gen)[: k_shot + n_query]]
        s.append(picked[:k_shot])
        q.append(picked[k_shot:])
    ways = torch.arange(n_way)
    return (
        torch.cat(s),
        ways.repeat_interleave(k_shot),
        torch.cat(q),
        ways.repeat_interleave(n_query),
    )

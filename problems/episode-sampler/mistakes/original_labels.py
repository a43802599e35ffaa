"""The original class labels are returned instead of episode labels: support_y and query_y
must be relabelled 0..n_way−1 (in the order the classes were drawn), since the
classifier of an episode has n_way outputs."""

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
        picked = members[torch.randperm(len(members), generator=gen)[: k_shot + n_query]]
        s.append(picked[:k_shot])
        q.append(picked[k_shot:])
    s, q = torch.cat(s), torch.cat(q)
    return s, labels[s].long(), q, labels[q].long()

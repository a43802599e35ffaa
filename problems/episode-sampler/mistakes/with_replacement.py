"""Examples are drawn with replacement (torch.randint / random.choices), so an example can
appear twice in the support or query set. Within a class, draw without replacement
(randperm, random.sample, rng.choice(replace=False))."""

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
        picked = members[torch.randint(len(members), (k_shot + n_query,), generator=gen)]
        s.append(picked[:k_shot])
        q.append(picked[k_shot:])
    ways = torch.arange(n_way)
    return (
        torch.cat(s),
        ways.repeat_interleave(k_shot),
        torch.cat(q),
        ways.repeat_interleave(n_query),
    )

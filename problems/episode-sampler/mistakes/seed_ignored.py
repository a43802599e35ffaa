"""The seed is ignored (the global random state is used, e.g. torch.randperm without a
generator): the same seed gives a different episode on the next call, so evaluation
episodes cannot be reproduced. Make a generator from the seed
(torch.Generator().manual_seed(seed), np.random.default_rng(seed),
random.Random(seed))."""

import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    if n_way <= 0 or k_shot <= 0 or n_query <= 0:
        raise ValueError("sizes must be positive")
    labels = torch.as_tensor(labels).reshape(-1)
    classes, counts = torch.unique(labels, return_counts=True)
    eligible = classes[counts >= k_shot + n_query]
    if len(eligible) < n_way:
        raise ValueError("too few eligible classes")
    chosen = eligible[torch.randperm(len(eligible))[:n_way]]
    s, q = [], []
    for c in chosen:
        members = torch.nonzero(labels == c).reshape(-1)
        picked = members[torch.randperm(len(members))[: k_shot + n_query]]
        s.append(picked[:k_shot])
        q.append(picked[k_shot:])
    ways = torch.arange(n_way)
    return (
        torch.cat(s),
        ways.repeat_interleave(k_shot),
        torch.cat(q),
        ways.repeat_interleave(n_query),
    )

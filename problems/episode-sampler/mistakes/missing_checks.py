"""Bad arguments are not rejected: non-positive n_way, k_shot or n_query (or too few
eligible classes) must raise ValueError instead of returning an empty or short episode.
"""

import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    labels = torch.as_tensor(labels).reshape(-1)
    classes, counts = torch.unique(labels, return_counts=True)
    eligible = classes[counts >= max(k_shot + n_query, 1)]
    gen = torch.Generator().manual_seed(int(seed))
    chosen = eligible[torch.randperm(len(eligible), generator=gen)[: max(n_way, 0)]]
    s, q = [torch.zeros(0, dtype=torch.int64)], [torch.zeros(0, dtype=torch.int64)]
    for c in chosen:
        members = torch.nonzero(labels == c).reshape(-1)
        picked = members[
            torch.randperm(len(members), generator=gen)[: max(k_shot, 0) + max(n_query, 0)]
        ]
        s.append(picked[: max(k_shot, 0)])
        q.append(picked[max(k_shot, 0) :])
    ways = torch.arange(len(chosen))
    return (
        torch.cat(s),
        ways.repeat_interleave(max(k_shot, 0)),
        torch.cat(q),
        ways.repeat_interleave(max(n_query, 0)),
    )

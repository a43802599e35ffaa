"""Correct, with the standard library's random.Random and interleaved output: classes by
random.sample, examples by random.sample per class, and the support and query sets
shuffled afterwards (the contract does not fix the order of the examples, only that the
episode labels follow the order in which the classes were drawn)."""

import random
from collections import defaultdict

import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    if n_way < 1 or k_shot < 1 or n_query < 1:
        raise ValueError("sizes must be positive")
    by_class = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        by_class[label].append(i)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= k_shot + n_query)
    if len(eligible) < n_way:
        raise ValueError("not enough classes with k_shot + n_query examples")
    rng = random.Random(seed)
    support, query = [], []
    for way, cls in enumerate(rng.sample(eligible, n_way)):
        picked = rng.sample(by_class[cls], k_shot + n_query)
        support += [(i, way) for i in picked[:k_shot]]
        query += [(i, way) for i in picked[k_shot:]]
    rng.shuffle(support)
    rng.shuffle(query)
    s_idx, s_y = zip(*support, strict=True)
    q_idx, q_y = zip(*query, strict=True)
    return tuple(torch.tensor(v, dtype=torch.int64) for v in (s_idx, s_y, q_idx, q_y))

"""Correct, with numpy's Generator: rng.choice without replacement for the classes and the
examples. It draws different episodes from the reference for the same seed — the contract
fixes the distribution and determinism per seed, not the random stream."""

import numpy as np
import torch


def sample_episode(labels, n_way, k_shot, n_query, seed):
    if min(n_way, k_shot, n_query) <= 0:
        raise ValueError("n_way, k_shot and n_query must be positive")
    labels = np.asarray(labels).reshape(-1)
    classes, counts = np.unique(labels, return_counts=True)
    eligible = classes[counts >= k_shot + n_query]
    if len(eligible) < n_way:
        raise ValueError(f"only {len(eligible)} eligible classes, need {n_way}")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=n_way, replace=False)
    support, query = [], []
    for cls in chosen:
        members = np.flatnonzero(labels == cls)
        picked = rng.choice(members, size=k_shot + n_query, replace=False)
        support.append(picked[:k_shot])
        query.append(picked[k_shot:])
    ways = np.arange(n_way)
    return (
        torch.from_numpy(np.concatenate(support)).long(),
        torch.from_numpy(np.repeat(ways, k_shot)).long(),
        torch.from_numpy(np.concatenate(query)).long(),
        torch.from_numpy(np.repeat(ways, n_query)).long(),
    )

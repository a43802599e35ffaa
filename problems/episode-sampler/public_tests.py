"""Public examples for episode-sampler (the hidden tests check many more label vectors)."""

from collections import Counter

import torch

from judge.testing import expect, expect_raises


def test_three_way_two_shot(candidate, mistakes):
    labels = torch.tensor([5, 5, 5, 5, 8, 8, 8, 8, 2, 2, 2, 2, 9])
    s_idx, s_y, q_idx, _ = candidate.sample_episode(labels, 3, 2, 1, seed=0)
    expect(len(s_idx) == 6 and len(q_idx) == 3, "support has N·K = 6, query N·Q = 3 examples")
    expect(sorted(Counter(s_y.tolist()).values()) == [2, 2, 2], "two support examples per way")
    expect(not set(s_idx.tolist()) & set(q_idx.tolist()), "support and query are disjoint")
    expect(9 not in labels[torch.cat([s_idx, q_idx])].tolist(), "class 9 has too few examples")


def test_same_seed_same_episode(candidate, mistakes):
    labels = torch.arange(5).repeat(6)
    a = candidate.sample_episode(labels, 2, 2, 2, seed=3)
    b = candidate.sample_episode(labels, 2, 2, 2, seed=3)
    expect(all(torch.equal(x, y) for x, y in zip(a, b, strict=True)), "same seed, same episode")


def test_too_few_classes(candidate, mistakes):
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    expect_raises(ValueError, lambda: candidate.sample_episode(labels, 3, 1, 1, seed=0))

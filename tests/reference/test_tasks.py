"""Task distributions: the sinusoid family of Finn et al. and the episode samplers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.tasks import (
    DIGITS_META_TEST_CLASSES,
    DIGITS_META_TRAIN_CLASSES,
    GaussianFamily,
    load_digits_classes,
    sample_digits_episode,
    sample_episode,
    sample_gaussian_episode,
    sample_sinusoid_tasks,
)


def test_sinusoid_ranges_shapes_and_formula():
    b = sample_sinusoid_tasks(2000, 5, 7, seed=0)
    assert b.x_support.shape == b.y_support.shape == (2000, 5, 1)
    assert b.x_query.shape == b.y_query.shape == (2000, 7, 1)
    assert b.x_support.dtype == torch.float32
    assert b.amplitude.min() >= 0.1 and b.amplitude.max() <= 5.0
    assert b.phase.min() >= 0.0 and b.phase.max() <= math.pi
    assert b.x_support.min() >= -5.0 and b.x_support.max() <= 5.0
    # Uniform, not e.g. normal: the means sit mid-range.
    assert abs(b.amplitude.mean().item() - 2.55) < 0.1
    assert abs(b.phase.mean().item() - math.pi / 2) < 0.1
    assert abs(b.x_query.mean().item()) < 0.1
    want = b.amplitude[:, None, None] * torch.sin(b.x_query - b.phase[:, None, None])
    torch.testing.assert_close(b.y_query, want)
    assert len(b.tasks()) == 2000


def test_sinusoid_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    a, b = sample_sinusoid_tasks(4, 3, 3, seed=7), sample_sinusoid_tasks(4, 3, 3, seed=7)
    c = sample_sinusoid_tasks(4, 3, 3, seed=8)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a.y_support, b.y_support) and not torch.equal(a.y_support, c.y_support)


def test_sinusoid_query_grid_spans_the_interval():
    b = sample_sinusoid_tasks(3, 5, 11, seed=0, query_grid=True)
    torch.testing.assert_close(b.x_query[1, :, 0], torch.linspace(-5, 5, 11))


labels_strategy = st.lists(st.integers(0, 6), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    labels=labels_strategy,
    n_way=st.integers(1, 4),
    k_shot=st.integers(1, 4),
    n_query=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
)
def test_sample_episode_contract(labels, n_way, k_shot, n_query, seed):
    counts = Counter(labels)
    eligible = {c for c, n in counts.items() if n >= k_shot + n_query}
    if len(eligible) < n_way:
        with pytest.raises(ValueError):
            sample_episode(labels, n_way, k_shot, n_query, seed)
        return
    state = torch.get_rng_state()
    s_idx, s_y, q_idx, q_y = sample_episode(torch.tensor(labels), n_way, k_shot, n_query, seed)
    assert torch.equal(torch.get_rng_state(), state), "the global RNG must not be used"
    assert all(t.dtype == torch.int64 for t in (s_idx, s_y, q_idx, q_y))
    assert len(s_idx) == len(s_y) == n_way * k_shot
    assert len(q_idx) == len(q_y) == n_way * n_query
    assert len(set(s_idx.tolist()) | set(q_idx.tolist())) == len(s_idx) + len(q_idx)
    original = torch.tensor(labels)
    mapping: dict[int, int] = {}
    pairs = torch.stack([torch.cat([s_idx, q_idx]), torch.cat([s_y, q_y])], 1).tolist()
    for idx, y in pairs:
        assert mapping.setdefault(y, int(original[idx])) == int(original[idx])
    assert sorted(mapping) == list(range(n_way))
    assert len(set(mapping.values())) == n_way and set(mapping.values()) <= eligible
    assert Counter(s_y.tolist()) == dict.fromkeys(range(n_way), k_shot)
    assert Counter(q_y.tolist()) == dict.fromkeys(range(n_way), n_query)
    again = sample_episode(np.array(labels), n_way, k_shot, n_query, seed)
    assert all(torch.equal(a, b) for a, b in zip((s_idx, s_y, q_idx, q_y), again, strict=True))


@given(labels=labels_strategy, bad=st.sampled_from([(0, 1, 1), (1, 0, 1), (1, 1, 0), (-1, 1, 1)]))
def test_sample_episode_rejects_non_positive_sizes(labels, bad):
    with pytest.raises(ValueError):
        sample_episode(labels, *bad, seed=0)


def test_sample_episode_draws_classes_uniformly_and_relabels_in_draw_order():
    # Classes 0-3 are eligible (5 examples), class 9 is not (2 examples).
    labels = [c for c in range(4) for _ in range(5)] + [9, 9]
    first = Counter()
    for seed in range(2000):
        s_idx, s_y, _, _ = sample_episode(labels, 2, 2, 1, seed)
        first[labels[s_idx[s_y == 0][0]]] += 1
    assert set(first) == {0, 1, 2, 3}
    assert all(350 < n < 650 for n in first.values()), first  # 500 expected each
    different = {tuple(sample_episode(labels, 2, 2, 1, s)[0].tolist()) for s in range(20)}
    assert len(different) > 10, "different seeds should give different episodes"


def test_gaussian_family_episodes():
    family = GaussianFamily()
    x_s, y_s, x_q, y_q = sample_gaussian_episode(5, 3, 4, seed=1)
    assert x_s.shape == (15, family.dim) and x_q.shape == (20, family.dim)
    assert y_s.dtype == torch.int64 and sorted(set(y_q.tolist())) == list(range(5))
    again = sample_gaussian_episode(5, 3, 4, seed=1)
    assert torch.equal(x_s, again[0]) and torch.equal(x_q, again[2])
    assert not torch.equal(x_s, sample_gaussian_episode(5, 3, 4, seed=2)[0])
    rotation = family.rotation()
    torch.testing.assert_close(rotation @ rotation.T, torch.eye(family.dim), atol=1e-5, rtol=0)


def test_digits_class_split_and_episodes():
    x, y = load_digits_classes(DIGITS_META_TRAIN_CLASSES)
    assert x.shape[1] == 64 and x.min() >= 0.0 and x.max() <= 1.0
    assert set(y.tolist()) == set(DIGITS_META_TRAIN_CLASSES)
    assert not set(DIGITS_META_TRAIN_CLASSES) & set(DIGITS_META_TEST_CLASSES)
    x_s, y_s, x_q, _ = sample_digits_episode("test", 4, 5, 6, seed=3)
    assert x_s.shape == (20, 64) and x_q.shape == (24, 64) and y_s.tolist()[:5] == [0] * 5
    test_x, _ = load_digits_classes(DIGITS_META_TEST_CLASSES)
    # Every episode image is one of the meta-test images.
    assert all((test_x == row).all(1).any() for row in x_s)

"""Prototypical networks: the logits against a brute-force loop, and a short training run."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.models import embedding_net
from reference.protonet import ProtoConfig, evaluate_protonet, prototypical_logits, train_protonet
from reference.tasks import GaussianFamily, sample_digits_episode, sample_gaussian_episode

torch.set_num_threads(1)


def brute_force_logits(support, support_y, query, n_way):
    logits = torch.empty(len(query), n_way, dtype=support.dtype)
    for k in range(n_way):
        prototype = support[support_y == k].mean(0)
        for q in range(len(query)):
            logits[q, k] = -sum((query[q, d] - prototype[d]) ** 2 for d in range(support.shape[1]))
    return logits


@settings(max_examples=30, deadline=None)
@given(
    n_way=st.integers(1, 5),
    k_shot=st.integers(1, 4),
    n_query=st.integers(1, 5),
    dim=st.integers(1, 6),
    seed=st.integers(0, 10_000),
)
def test_logits_match_brute_force_for_shuffled_support(n_way, k_shot, n_query, dim, seed):
    gen = torch.Generator().manual_seed(seed)
    support = torch.randn(n_way * k_shot, dim, generator=gen, dtype=torch.float64)
    support_y = torch.arange(n_way).repeat_interleave(k_shot)
    query = torch.randn(n_query, dim, generator=gen, dtype=torch.float64)
    want = brute_force_logits(support, support_y, query, n_way)
    got = prototypical_logits(support, support_y, query, n_way)
    assert got.shape == (n_query, n_way)
    torch.testing.assert_close(got, want)
    perm = torch.randperm(len(support), generator=gen)
    torch.testing.assert_close(
        prototypical_logits(support[perm], support_y[perm], query, n_way), want
    )


def test_logits_are_exact_for_a_query_on_its_prototype():
    support = torch.tensor([[1e4, 1e4], [1e4 + 2, 1e4], [0.0, 0.0]])
    logits = prototypical_logits(
        support, torch.tensor([0, 0, 1]), torch.tensor([[1e4 + 1, 1e4]]), 2
    )
    assert logits[0, 0].item() == 0.0  # no cancellation from the expanded form
    assert logits.argmax().item() == 0


def test_training_an_embedding_beats_raw_features_on_the_gaussian_family():
    def sample(seed):
        return sample_gaussian_episode(5, 5, 10, seed)

    held_out = range(10**6, 10**6 + 100)
    raw = evaluate_protonet(None, sample, held_out)
    torch.manual_seed(0)
    embed = embedding_net(GaussianFamily().dim)
    history = train_protonet(embed, sample, ProtoConfig(episodes=300, lr=3e-3))
    assert len(history) == 300 and sum(history[-30:]) < sum(history[:30])
    assert evaluate_protonet(embed, sample, held_out) > raw + 0.1


def test_digits_episodes_work_end_to_end():
    torch.manual_seed(0)
    embed = embedding_net(64)
    train_protonet(embed, lambda s: sample_digits_episode("train", 5, 5, 5, s), ProtoConfig(20))
    acc = evaluate_protonet(embed, lambda s: sample_digits_episode("test", 4, 5, 5, s), range(20))
    assert 0.0 <= acc <= 1.0
    raw = evaluate_protonet(None, lambda s: sample_digits_episode("test", 4, 5, 5, s), range(50))
    assert raw > 0.8  # pixel prototypes already separate the meta-test digits well

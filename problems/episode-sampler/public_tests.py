"""Public tests: one per clause of the prompt, on fixed label vectors and fixed seeds (the
hidden tests check many more label vectors, with chi-square tests of uniformity).

None compares an episode with the reference's: any random stream is fine, so the checks
are properties that every correct sampler has on every seed."""

from collections import Counter

import torch

from judge.testing import expect, expect_raises

SEEDS = range(60)


def episode(candidate, labels, n_way, k_shot, n_query, seed):
    return [t.tolist() for t in candidate.sample_episode(labels, n_way, k_shot, n_query, seed)]


def test_example_from_the_prompt(candidate, mistakes):
    """Example. labels = [5, 5, 5, 5, 8, 8, 8, 8, 2, 2, 2, 2, 9], 3-way 2-shot 1 query:
    6 support and 3 query examples, two support examples per way, support and query
    disjoint, and class 9 (one example) never drawn: it cannot fill 2 + 1 slots.
    The reference gives s_idx = [5, 4, 11, 10, 1, 0], s_y = [0, 0, 1, 1, 2, 2],
    q_idx = [7, 8, 3], q_y = [0, 1, 2] for seed 0; your stream may differ.

    中文：labels = [5, 5, 5, 5, 8, 8, 8, 8, 2, 2, 2, 2, 9]，3-way 2-shot，每类 1 个查询样本：共 6
    个支持样本和 3 个查询样本，每个类两个支持样本，支持集与查询集不相交；类 9
    只有一个样本，永远不会被抽中：它填不满 2 + 1 个位置。seed 0 时参考实现给出 s_idx = [5, 4, 11,
    10, 1, 0]、s_y = [0, 0, 1, 1, 2, 2]、q_idx = [7, 8, 3]、q_y = [0, 1,
    2]；你的随机数序列可能不同。"""
    labels = torch.tensor([5, 5, 5, 5, 8, 8, 8, 8, 2, 2, 2, 2, 9])
    s_idx, s_y, q_idx, q_y = episode(candidate, labels, 3, 2, 1, seed=0)
    expect(len(s_idx) == 6 and len(q_idx) == 3, "support has N·K = 6, query N·Q = 3 examples")
    expect(sorted(Counter(s_y).values()) == [2, 2, 2], "two support examples per way")
    expect(sorted(q_y) == [0, 1, 2], f"query labels {q_y}, want one each of 0, 1, 2")
    expect(not set(s_idx) & set(q_idx), "support and query are disjoint")
    expect(9 not in labels[s_idx + q_idx].tolist(), "class 9 has too few examples")


def test_episode_labels_follow_the_draw(candidate, mistakes):
    """Episode label i is the i-th class drawn, the same class in support and query; over 60
    seeds, label 0 is not always the smallest class id (labels follow the draw, not a sort)."""
    labels = torch.tensor([30, 10, 20, 40] * 5)
    smallest_first = 0
    for seed in SEEDS:
        s_idx, s_y, q_idx, q_y = episode(candidate, labels, 2, 2, 1, seed)
        expect(
            set(s_y) | set(q_y) <= {0, 1},
            f"seed {seed}: episode labels {sorted(set(s_y) | set(q_y))}, want 0 and 1",
            hint=mistakes.hint("original_labels"),
        )
        classes = {}
        for idx, y in [*zip(s_idx, s_y, strict=True), *zip(q_idx, q_y, strict=True)]:
            classes.setdefault(y, set()).add(int(labels[idx]))
        expect(
            all(len(c) == 1 for c in classes.values()),
            f"seed {seed}: one episode label covers several classes {classes}",
        )
        smallest_first += classes[0] == {min(min(c) for c in classes.values())}
    expect(
        smallest_first < len(SEEDS),
        "label 0 is always the smallest class id: labels must follow the order of the draw",
        hint=mistakes.hint("sorted_relabel"),
    )


def test_examples_are_distinct_disjoint_and_random(candidate, mistakes):
    """Over 60 seeds: no example twice in a set, support and query disjoint, and every
    example of a class turns up at some point (not always the first k_shot + n_query)."""
    labels = torch.tensor([0] * 8 + [1] * 8)
    seen = set()
    for seed in SEEDS:
        s_idx, _, q_idx, _ = episode(candidate, labels, 2, 2, 2, seed)
        expect(
            len(set(s_idx)) == len(s_idx) and len(set(q_idx)) == len(q_idx),
            f"seed {seed}: an example is repeated within a set",
            hint=mistakes.hint("with_replacement"),
        )
        expect(
            not set(s_idx) & set(q_idx),
            f"seed {seed}: support and query share {sorted(set(s_idx) & set(q_idx))}",
            hint=mistakes.hint("support_query_overlap"),
        )
        seen |= set(s_idx) | set(q_idx)
    expect(
        seen == set(range(16)),
        f"examples {sorted(set(range(16)) - seen)} never appear in 60 episodes",
        hint=mistakes.hint("first_examples"),
    )


def test_classes_are_drawn_uniformly_among_eligible_ones(candidate, mistakes):
    """Class 0 has 30 examples, classes 1-4 have 3; class 5 has 2 (too few for 2 + 1).
    Over 60 two-way episodes class 0 is in about 2/5 of them (not most), class 5 in none."""
    labels = torch.tensor([0] * 30 + [1, 2, 3, 4] * 3 + [5, 5])
    with_zero = 0
    for seed in SEEDS:
        s_idx, _, q_idx, _ = episode(candidate, labels, 2, 2, 1, seed)
        drawn = set(labels[s_idx + q_idx].tolist())
        expect(
            5 not in drawn,
            f"seed {seed}: class 5 (2 examples) cannot fill 2 + 1 slots",
            hint=mistakes.hint("ineligible_classes"),
        )
        with_zero += 0 in drawn
    expect(
        with_zero <= 40,
        f"class 0 is in {with_zero} of 60 two-way episodes; uniform among 5 classes is ~24",
        hint=mistakes.hint("frequency_weighted"),
    )


def test_same_seed_same_episode(candidate, mistakes):
    """The same arguments give the same episode, whatever ran in between."""
    labels = torch.arange(5).repeat(6)
    a = episode(candidate, labels, 2, 2, 2, seed=3)
    episode(candidate, labels, 3, 1, 1, seed=4)
    b = episode(candidate, labels, 2, 2, 2, seed=3)
    expect(a == b, "same seed, same episode", hint=mistakes.hint("seed_ignored"))


def test_bad_arguments_raise(candidate, mistakes):
    """Too few eligible classes, and a non-positive n_way, raise ValueError."""
    hint = mistakes.hint("missing_checks")
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    expect_raises(ValueError, lambda: candidate.sample_episode(labels, 3, 1, 1, seed=0), hint=hint)
    expect_raises(ValueError, lambda: candidate.sample_episode(labels, 0, 1, 1, seed=0), hint=hint)

"""Hidden tests: soups of "fine-tuned" variants of one pretrained BatchNorm MLP, every world
and ingredient drawn from the per-grade ``seed``; two tests for each clause: the greedy
selection itself, ranking best first, ties keeping list order, joining on >= (not >), the
uniform average, accuracy in eval mode, counters from the soup's first ingredient.

Ingredients are the pretrained weights plus noise of a chosen size (smaller noise = more
accurate). A hidden-unit permutation of a good ingredient computes the same function, so it
is individually accurate, but averaging it with the others mixes unrelated units: it is the
ingredient that hurts. Scaling the output layer by a positive factor changes no prediction:
such copies tie with their original whatever the seed, so the tie and >= clauses are
tested on every draw. Counters (num_batches_tracked) differ per ingredient, so the result
also shows which ingredient the soup started with.

Points follow the clause: the selection (rank, start from the best, keep what does not
hurt, average uniformly) weighs most; the counter copied from the first ingredient least.
"""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal, points

D, H, C, N = 12, 16, 4, 256


def world(seed: int):
    """The model (pretrained weights, eval mode) and validation data it mostly gets right."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(D, H), nn.BatchNorm1d(H), nn.ReLU(), nn.Linear(H, C))
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model[1].running_mean.copy_(0.3 * torch.randn(H, generator=g))
        model[1].running_var.copy_(0.5 + torch.rand(H, generator=g))
        model[1].num_batches_tracked.fill_(100)
        model.eval()
        x = torch.randn(N, D, generator=g)
        y = model(x).argmax(dim=1)
        flip = torch.rand(N, generator=g) < 0.1
        y[flip] = torch.randint(C, (int(flip.sum()),), generator=g)
    return model, {k: v.clone() for k, v in model.state_dict().items()}, x, y


def ingredient(pre, sigma: float, seed: int, counter: int):
    g = torch.Generator().manual_seed(1000 + seed)
    out = {}
    for k, v in pre.items():
        if not v.is_floating_point():
            out[k] = torch.tensor(counter)
        elif k.endswith("running_var"):
            out[k] = v * torch.exp(sigma * torch.randn(v.shape, generator=g))
        else:
            out[k] = v + sigma * v.abs().mean() * torch.randn(v.shape, generator=g)
    return out


def permuted(sd, seed: int):
    """The same function with the hidden units in another order."""
    p = torch.randperm(H, generator=torch.Generator().manual_seed(2000 + seed))
    out = dict(sd)
    for k in ("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"):
        out[k] = sd[k][p]
    out["3.weight"] = sd["3.weight"][:, p]
    return out


def scaled(sd, factor: float, counter: int):
    """The same predictions: the output layer's logits times a positive factor."""
    return {
        **sd,
        "3.weight": sd["3.weight"] * factor,
        "3.bias": sd["3.bias"] * factor,
        "1.num_batches_tracked": torch.tensor(counter),
    }


def same_as_solution(candidate, solution, mistakes, model, sds, x, y, name="soup"):
    got = candidate.greedy_soup(model, sds, x, y)
    expect_close(
        got,
        solution.greedy_soup(model, sds, x, y),
        name=name,
        mistakes=mistakes.on(lambda m: m.greedy_soup(model, sds, x, y)),
    )
    return got


# -- the greedy selection -----------------------------------------------------------------
def second_best_hurts(seed: int):
    """The permuted ingredient ranks high (second, on most draws), yet averaging it with the
    best loses accuracy."""
    model, pre, x, y = world(seed)
    sds = [
        ingredient(pre, 1.0, seed + 1, counter=1),
        permuted(ingredient(pre, 0.15, seed + 2, counter=2), seed),
        ingredient(pre, 0.05, seed + 3, counter=3),
        ingredient(pre, 1.2, seed + 4, counter=4),
        ingredient(pre, 0.8, seed + 5, counter=5),
        ingredient(pre, 0.9, seed + 7, counter=6),
    ]
    return model, sds, x, y


@points(12)
def test_second_best_ingredient_hurts(candidate, solution, mistakes, seed):
    model, sds, x, y = second_best_hurts(seed)
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(12)
def test_noisy_ingredients(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 1)
    sigmas = [0.9, 0.6, 1.2, 0.7, 0.8, 1.5]
    sds = [ingredient(pre, s, seed + i, counter=i) for i, s in enumerate(sigmas)]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(12)
def test_many_ingredients(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 2)
    sds = [ingredient(pre, 0.4 + 0.1 * (i % 5), seed + i, counter=i) for i in range(10)]
    sds.insert(3, permuted(ingredient(pre, 0.2, seed + 99, counter=99), seed + 1))
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(4)
def test_single_ingredient(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 3)
    sd = ingredient(pre, 0.5, seed, counter=7)
    got = same_as_solution(candidate, solution, mistakes, model, [sd], x, y)
    expect_close(got, sd, name="soup of one ingredient")


# -- ranking ------------------------------------------------------------------------------
@points(8)
def test_the_list_order_is_not_the_rank(candidate, solution, mistakes, seed):
    """Listed worst first: the soup must start from the best, not from the first."""
    model, pre, x, y = world(seed + 4)
    sigmas = [1.6, 1.3, 1.0, 0.7, 0.4, 0.15]
    sds = [ingredient(pre, s, seed + 10 + i, counter=30 + i) for i, s in enumerate(sigmas)]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(8)
def test_ties_keep_list_order(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 5)
    a = ingredient(pre, 0.1, seed + 1, counter=11)
    twin = scaled(a, 1.25, counter=12)  # the same predictions: a tie, listed first
    sds = [ingredient(pre, 0.9, seed + 2, counter=10), twin, a, ingredient(pre, 0.7, seed + 3, 13)]
    got = same_as_solution(candidate, solution, mistakes, model, sds, x, y)
    expect_equal(
        got["1.num_batches_tracked"],
        torch.tensor(12),
        name="num_batches_tracked (copied from the first, best-ranked ingredient)",
        mistakes=mistakes.on(lambda m: m.greedy_soup(model, sds, x, y)["1.num_batches_tracked"]),
    )


@points(8)
def test_copies_that_tie_join_on_greater_or_equal(candidate, solution, mistakes, seed):
    """Two rescaled copies of the best tie with it: each keeps the soup's accuracy, so each
    joins (>=), and the soup of three is their uniform average."""
    model, pre, x, y = world(seed + 6)
    best = ingredient(pre, 0.1, seed + 4, counter=40)
    sds = [
        ingredient(pre, 1.1, seed + 5, counter=41),
        best,
        ingredient(pre, 0.9, seed + 6, counter=42),
        scaled(best, 1.5, counter=43),
        scaled(best, 3.0, counter=44),
    ]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(6)
def test_an_ingredient_that_changes_nothing_joins(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 7)
    best = ingredient(pre, 0.3, seed + 1, counter=21)
    sds = [
        best,
        ingredient(pre, 0.6, seed + 2, counter=22),
        dict(best),  # a copy of the best: the soup's accuracy cannot change, so it joins
        ingredient(pre, 0.45, seed + 3, counter=23),
        ingredient(pre, 0.5, seed + 4, counter=24),
    ]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


# -- the uniform average --------------------------------------------------------------------
@points(8)
def test_a_soup_of_ties_is_their_uniform_average(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 8)
    best = ingredient(pre, 0.2, seed + 5, counter=50)
    factors = [1.0, 2.0, 0.5, 4.0]
    sds = [scaled(best, f, counter=50 + i) for i, f in enumerate(factors)]
    got = same_as_solution(candidate, solution, mistakes, model, sds, x, y)
    mean = sum(factors) / len(factors)
    expect_close(
        {k: got[k] for k in ("3.weight", "3.bias")},
        {"3.weight": best["3.weight"] * mean, "3.bias": best["3.bias"] * mean},
        name="output layer of the soup of four ties (their uniform average)",
    )


# -- accuracy in eval mode ------------------------------------------------------------------
@points(8)
def test_batchnorm_statistics_are_used(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 9)
    sds = [
        permuted(ingredient(pre, 0.5, seed + i, counter=i), seed + i)
        if i % 2
        else ingredient(pre, 0.5, seed + i, counter=i)
        for i in range(6)
    ]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


@points(8)
def test_model_handed_over_in_train_mode(candidate, solution, mistakes, seed):
    model, pre, x, y = world(seed + 10)
    model.train()  # the soup must still be judged in eval mode
    sds = [ingredient(pre, s, seed + i, counter=i) for i, s in enumerate([0.5, 0.3, 0.7, 0.4])]
    sds.insert(1, permuted(ingredient(pre, 0.35, seed + 50, counter=50), seed + 2))
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


# -- counters -------------------------------------------------------------------------------
def check_counter(candidate, solution, mistakes, seed, position):
    model, pre, x, y = world(seed)
    sds = [ingredient(pre, 1.2 + 0.1 * i, seed + i, counter=60 + i) for i in range(4)]
    sds.insert(position, ingredient(pre, 0.05, seed + 9, counter=77))  # the best by far
    got = candidate.greedy_soup(model, sds, x, y)
    expect_equal(
        got["1.num_batches_tracked"],
        solution.greedy_soup(model, sds, x, y)["1.num_batches_tracked"],
        name="num_batches_tracked (copied from the soup's first ingredient)",
        mistakes=mistakes.on(lambda m: m.greedy_soup(model, sds, x, y)["1.num_batches_tracked"]),
    )


@points(3)
def test_the_counter_comes_from_the_best_ingredient(candidate, solution, mistakes, seed):
    check_counter(candidate, solution, mistakes, seed + 11, 2)


@points(3)
def test_the_counter_when_the_best_is_listed_last(candidate, solution, mistakes, seed):
    check_counter(candidate, solution, mistakes, seed + 12, 4)

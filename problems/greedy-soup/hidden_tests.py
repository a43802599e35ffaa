"""Hidden tests: soups of "fine-tuned" variants of one pretrained BatchNorm MLP.

Ingredients are the pretrained weights plus noise of a chosen size (smaller noise = more
accurate). A hidden-unit permutation of a good ingredient computes the same function, so it
is individually accurate, but averaging it with the others mixes unrelated units: it is the
ingredient that hurts. Counters (num_batches_tracked) differ per ingredient, so the result
also shows which ingredient the soup started with.
"""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal

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


def same_as_solution(candidate, solution, mistakes, model, sds, x, y, name="soup"):
    got = candidate.greedy_soup(model, sds, x, y)
    expect_close(
        got,
        solution.greedy_soup(model, sds, x, y),
        name=name,
        mistakes=mistakes.on(lambda m: m.greedy_soup(model, sds, x, y)),
    )
    return got


def second_best_hurts():
    """The permuted ingredient ranks second, yet averaging it with the best loses accuracy."""
    model, pre, x, y = world(1)
    sds = [
        ingredient(pre, 0.8, 1, counter=1),
        permuted(ingredient(pre, 0.3, 2, counter=2), 0),
        ingredient(pre, 0.25, 3, counter=3),
        ingredient(pre, 1.0, 4, counter=4),
        ingredient(pre, 0.5, 5, counter=5),
        ingredient(pre, 0.4, 7, counter=6),
    ]
    return model, sds, x, y


def test_second_best_ingredient_hurts(candidate, solution, mistakes):
    model, sds, x, y = second_best_hurts()
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


def test_noisy_ingredients(candidate, solution, mistakes):
    model, pre, x, y = world(1)
    sds = [ingredient(pre, s, i, counter=i) for i, s in enumerate([0.9, 0.6, 1.2, 0.7, 0.8, 1.5])]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


def test_single_ingredient(candidate, solution, mistakes):
    model, pre, x, y = world(2)
    sd = ingredient(pre, 0.5, 0, counter=7)
    got = same_as_solution(candidate, solution, mistakes, model, [sd], x, y)
    expect_close(got, sd, name="soup of one ingredient")


def test_ties_keep_list_order(candidate, solution, mistakes):
    model, pre, x, y = world(3)
    a = ingredient(pre, 0.4, 1, counter=11)
    twin = {**a, "3.bias": a["3.bias"] + 1e-7, "1.num_batches_tracked": torch.tensor(12)}
    sds = [ingredient(pre, 0.9, 2, counter=10), twin, a, ingredient(pre, 0.7, 3, counter=13)]
    got = same_as_solution(candidate, solution, mistakes, model, sds, x, y)
    expect_equal(
        got["1.num_batches_tracked"],
        torch.tensor(12),
        name="num_batches_tracked (copied from the first, best-ranked ingredient)",
    )


def test_an_ingredient_that_changes_nothing_joins(candidate, solution, mistakes):
    model, pre, x, y = world(11)
    best = ingredient(pre, 0.3, 1, counter=21)
    sds = [
        best,
        ingredient(pre, 0.6, 2, counter=22),
        dict(best),  # a copy of the best: the soup's accuracy cannot change, so it joins
        ingredient(pre, 0.45, 3, counter=23),
        ingredient(pre, 0.5, 4, counter=24),
    ]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


def test_batchnorm_statistics_are_used(candidate, solution, mistakes):
    model, pre, x, y = world(5)
    sds = [
        permuted(ingredient(pre, 0.5, i, counter=i), i)
        if i % 2
        else ingredient(pre, 0.5, i, counter=i)
        for i in range(6)
    ]
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


def test_many_ingredients(candidate, solution, mistakes):
    model, pre, x, y = world(6)
    sds = [ingredient(pre, 0.4 + 0.1 * (i % 5), i, counter=i) for i in range(10)]
    sds.insert(3, permuted(ingredient(pre, 0.2, 99, counter=99), 1))
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)


def test_model_handed_over_in_train_mode(candidate, solution, mistakes):
    model, pre, x, y = world(7)
    model.train()  # the soup must still be judged in eval mode
    sds = [ingredient(pre, s, i, counter=i) for i, s in enumerate([0.5, 0.3, 0.7, 0.4])]
    sds.insert(1, permuted(ingredient(pre, 0.35, 50, counter=50), 2))
    same_as_solution(candidate, solution, mistakes, model, sds, x, y)

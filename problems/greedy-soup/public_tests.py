"""Public tests: a soup of three noisy copies of one small classifier, and a soup of one."""

import torch
from torch import nn

from judge.testing import expect_close


def setup(seed: int):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).eval()
    x = torch.randn(64, 6)
    with torch.no_grad():
        y = model(x).argmax(dim=1)
    pre = {k: v.clone() for k, v in model.state_dict().items()}
    sds = [{k: v + s * torch.randn_like(v) for k, v in pre.items()} for s in (0.6, 0.2, 0.4)]
    return model, sds, x, y


def test_three_ingredients(candidate, solution, mistakes):
    model, sds, x, y = setup(0)
    expect_close(
        candidate.greedy_soup(model, sds, x, y),
        solution.greedy_soup(model, sds, x, y),
        name="soup",
        mistakes=mistakes.on(lambda m: m.greedy_soup(model, sds, x, y)),
    )


def test_one_ingredient_is_its_own_soup(candidate):
    model, sds, x, y = setup(1)
    expect_close(candidate.greedy_soup(model, sds[:1], x, y), sds[0], name="soup of one")

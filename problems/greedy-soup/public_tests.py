"""Public tests: a hand-built soup whose every step can be followed with a pencil, and a soup
of one (the hidden tests draw BatchNorm MLPs from a per-grade seed).

The model is ``Linear(1, 2)`` followed by an identity-like ``BatchNorm1d(2)`` (running mean
0, variance 1). Ingredient ``(w, c)`` has logits ``[0, w·x + c]``: it predicts class 1
exactly where ``w·x + c > 0``. On ``x = [-2, -1, 1, 2]`` with labels ``[0, 0, 1, 1]``:

=========  ======  ===========================  ========
list index  (w, c)  predictions                  accuracy
=========  ======  ===========================  ========
0 "C"      (-3, 0)  [1, 1, 0, 0]                 0.00
1 "B"      (1, 1.5) [0, 1, 1, 1]                 0.75
2 "D"      (2, 0)   [0, 0, 1, 1]                 1.00
3 "A"      (1, 0)   [0, 0, 1, 1]                 1.00
=========  ======  ===========================  ========
"""

import torch
from torch import nn

from judge.testing import expect_close

X = torch.tensor([[-2.0], [-1.0], [1.0], [2.0]])
Y = torch.tensor([0, 0, 1, 1])


def model() -> nn.Module:
    return nn.Sequential(nn.Linear(1, 2), nn.BatchNorm1d(2)).eval()


def ingredient(w: float, c: float, counter: int) -> dict[str, torch.Tensor]:
    return {
        "0.weight": torch.tensor([[0.0], [w]]),
        "0.bias": torch.tensor([0.0, c]),
        "1.weight": torch.ones(2),
        "1.bias": torch.zeros(2),
        "1.running_mean": torch.zeros(2),
        "1.running_var": torch.ones(2),
        "1.num_batches_tracked": torch.tensor(counter),
    }


def test_greedy_soup_step_by_step(candidate, mistakes):
    """Example. Ranked best first, ties in list order: D (1.0), A (1.0), B (0.75), C (0.0).
    The soup starts as {D}. D+A averages to (1.5, 0): accuracy 1.0 >= 1.0, A joins (an equal
    accuracy is enough). D+A+B averages to (4/3, 0.5): accuracy 1.0, B joins. Adding C gives
    (0.25, 0.375), which predicts [0, 1, 1, 1]: 0.75 < 1.0, C stays out. The result is the
    uniform average of D, A and B, with D's counter (3), the soup's first ingredient.

    中文：按验证准确率从高到低排序，平局时保持列表顺序：D (1.0)、A (1.0)、B (0.75)、C (0.0)。汤从
    {D} 开始。D+A 的平均为 (1.5, 0)：准确率 1.0 >= 1.0，A 加入（准确率持平就够了）。D+A+B
    的平均为 (4/3, 0.5)：准确率 1.0，B 加入。再加入 C 得到 (0.25, 0.375)，它的预测是 [0, 1, 1,
    1]：0.75 < 1.0，C 不加入。结果是 D、A、B 的均匀平均，计数器取汤的第一个成分 D 的值（3）。"""
    sds = [ingredient(-3, 0, 1), ingredient(1, 1.5, 2), ingredient(2, 0, 3), ingredient(1, 0, 4)]
    want = ingredient(4 / 3, 0.5, 3)
    m = model()
    expect_close(
        candidate.greedy_soup(m, sds, X, Y),
        want,
        name="soup",
        mistakes=mistakes.on(lambda mk: mk.greedy_soup(m, sds, X, Y)),
    )


def test_one_ingredient_is_its_own_soup(candidate, mistakes):
    """Example. A soup of one ingredient is that ingredient, counter included.

    中文：只有一个成分的汤就是这个成分本身，计数器也不例外。"""
    sds = [ingredient(1, 1.5, 7)]
    m = model()
    expect_close(
        candidate.greedy_soup(m, sds, X, Y),
        ingredient(1, 1.5, 7),
        name="soup of one",
        mistakes=mistakes.on(lambda mk: mk.greedy_soup(m, sds, X, Y)),
    )

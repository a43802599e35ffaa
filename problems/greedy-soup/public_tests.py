"""Public tests: a hand-built soup whose every step can be followed with a pencil, a soup of
one, and one test per rule of the prompt (the soup starts from the best, ties keep list
order, >= not >, the uniform average, accuracy in eval mode), on the same small model (the
hidden tests draw BatchNorm MLPs from a per-grade seed).

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

The per-rule tests also use "H" = (1, 3), which predicts [1, 1, 1, 1]: accuracy 0.50.
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


def check(candidate, mistakes, m, sds, want, name):
    expect_close(
        candidate.greedy_soup(m, sds, X, Y),
        want,
        name=name,
        mistakes=mistakes.on(lambda mk: mk.greedy_soup(m, sds, X, Y)),
    )


def test_the_soup_starts_from_the_best(candidate, mistakes):
    # Listed B (0.75, counter 5), A (1.00, counter 6), H (0.50, counter 7); ranked A, B, H.
    # The soup starts as {A}. A+B averages to (1, 0.75), which predicts [0, 0, 1, 1]:
    # 1.0 >= 1.0, B joins. A+B+H averages to (1, 1.5), which predicts [0, 1, 1, 1]:
    # 0.75 < 1.0, H stays out. The soup is (1, 0.75) with the counter of its first
    # ingredient, A: 6. (Visiting in list order gives the same weights, but B's counter.)
    sds = [ingredient(1, 1.5, 5), ingredient(1, 0, 6), ingredient(1, 3, 7)]
    check(candidate, mistakes, model(), sds, ingredient(1, 0.75, 6), "soup (the best listed 2nd)")


def test_ties_keep_list_order(candidate, mistakes):
    # D (counter 5) and A (counter 6) both score 1.0: a stable sort keeps D, listed first,
    # first. The soup starts as {D}; D+A averages to (1.5, 0), accuracy 1.0, so A joins. The
    # counter comes from the soup's first ingredient: D's 5, not A's 6.
    sds = [ingredient(2, 0, 5), ingredient(1, 0, 6)]
    check(candidate, mistakes, model(), sds, ingredient(1.5, 0, 5), "soup of two tied ingredients")


def test_an_ingredient_that_keeps_the_accuracy_joins(candidate, mistakes):
    """Example. Three ingredients of accuracy 0.75, so they rank in list order: B = (1, 1.5)
    predicts [0, 1, 1, 1], Q = (1, -1.5) predicts [0, 0, 0, 1], R = (1, 1.2) predicts
    [0, 1, 1, 1]. The soup starts as {B} (0.75). B+Q averages to (1, 0): [0, 0, 1, 1], 1.0,
    so Q joins and the soup's accuracy is now 1.0. B+Q+R averages to (1, 0.4): [0, 0, 1, 1],
    still 1.0. R does not improve the soup, but the rule is >=, not >: R joins, and the
    result is (1, 0.4) with B's counter. With > the soup would stop at (1, 0).

    中文：三个成分的准确率都是 0.75，所以按列表顺序排名：B = (1, 1.5) 预测 [0, 1, 1, 1]，
    Q = (1, -1.5) 预测 [0, 0, 0, 1]，R = (1, 1.2) 预测 [0, 1, 1, 1]。汤从 {B}（0.75）开始。B+Q
    的平均为 (1, 0)：预测 [0, 0, 1, 1]，准确率 1.0，所以 Q 加入，汤的准确率变为 1.0。B+Q+R 的
    平均为 (1, 0.4)：预测 [0, 0, 1, 1]，仍是 1.0。R 没有提升汤的准确率，但规则是 >= 而不是 >：
    R 加入，结果为 (1, 0.4)，计数器取 B 的。若用 >，汤会停在 (1, 0)。"""
    sds = [ingredient(1, 1.5, 5), ingredient(1, -1.5, 6), ingredient(1, 1.2, 7)]
    check(candidate, mistakes, model(), sds, ingredient(1, 0.4, 5), "soup (R keeps 1.0)")


def test_the_soup_is_a_uniform_average(candidate, mistakes):
    # Three ingredients that each separate the classes: (1, 0.3), (2, -0.6), (3, 0.9), all
    # 1.0 and all joining (every average of them separates too). The soup weighs them 1/3
    # each: w = (1 + 2 + 3) / 3 = 2, c = (0.3 - 0.6 + 0.9) / 3 = 0.2. A running pairwise
    # average, ((first + second) / 2 + third) / 2, would give (2.25, 0.375).
    sds = [ingredient(1, 0.3, 5), ingredient(2, -0.6, 6), ingredient(3, 0.9, 7)]
    check(candidate, mistakes, model(), sds, ingredient(2, 0.2, 5), "soup of three")


def test_accuracy_is_measured_in_eval_mode(candidate, mistakes):
    # The model is handed over in training mode; accuracy must be measured in eval mode,
    # where BatchNorm uses its running statistics (mean 0, variance 1: the identity here).
    # Listed A (1.0), H (0.5), C (0.0). The soup starts as {A}; A+H averages to (1, 1.5),
    # 0.75: H stays out; A+C averages to (-1, 0), 0.0: C stays out. The soup is A.
    # In training mode BatchNorm would subtract the batch's own mean of w·x + c, which is c:
    # the bias vanishes, H would score 1.0 like A and join, giving (1, 1.5).
    sds = [ingredient(1, 0, 5), ingredient(1, 3, 6), ingredient(-3, 0, 7)]
    m = model().train()
    check(
        candidate, mistakes, m, sds, ingredient(1, 0, 5), "soup (model handed over in train mode)"
    )

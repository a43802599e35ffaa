"""Public examples for prototypical-logits: the prompt's example by hand, then one test per
clause (support in any order, unequal shots, shape [Q, n_way] and dtype, gradients into
support and query, strided inputs), each with the expected numbers in view."""

import torch

from judge.testing import Probe, expect, expect_close

# The prompt's example: prototypes (1, 0) for class 0 and (0, 5) for class 1.
SUPPORT = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0], [0.0, 6.0]])
SUPPORT_Y = torch.tensor([0, 0, 1, 1])


def check(candidate, mistakes, args, want, name="logits", rtol=1e-4, atol=1e-5):
    got = candidate.prototypical_logits(*args)
    expect_close(
        got,
        want,
        name=name,
        rtol=rtol,
        atol=atol,
        mistakes=mistakes.on(lambda m: m.prototypical_logits(*args)),
    )
    return got


def test_two_way_by_hand(candidate, solution, mistakes):
    """Example. The prototypes are the class means (1, 0) and (0, 5); a logit is minus the
    squared Euclidean distance: query (1, 1) is at 1 from the first and 17 from the second,
    so its logits are [-1, -17].

    中文：原型是各类的均值 (1, 0) 和 (0, 5)；logit 是负的平方欧氏距离：查询 (1, 1)
    到第一个原型的平方距离是 1，到第二个是 17，所以它的 logits 是 [-1, -17]。"""
    query = torch.tensor([[1.0, 1.0], [0.0, 5.0], [3.0, 0.0]])
    want = torch.tensor([[-1.0, -17.0], [-26.0, 0.0], [-4.0, -34.0]])
    check(candidate, mistakes, (SUPPORT, SUPPORT_Y, query, 2), want)


def test_support_in_any_order(candidate, solution, mistakes):
    # The prompt's support, interleaved: rows (0, 4), (0, 0), (0, 6), (2, 0) with labels
    # [1, 0, 1, 0]. The labels, not the positions, decide the prototypes, so they are still
    # (1, 0) and (0, 5) and query (1, 1) still gets [-1, -17]. (Averaging consecutive pairs
    # would give (0, 2) and (1, 3), and logits [-2, -4].)
    support = SUPPORT[[2, 0, 3, 1]]
    support_y = torch.tensor([1, 0, 1, 0])
    args = (support, support_y, torch.tensor([[1.0, 1.0]]), 2)
    check(candidate, mistakes, args, torch.tensor([[-1.0, -17.0]]), "logits (support interleaved)")


def test_shuffled_support(candidate, solution, mistakes):
    gen = torch.Generator().manual_seed(0)
    support, query = torch.randn(12, 4, generator=gen), torch.randn(5, 4, generator=gen)
    support_y = torch.randperm(12, generator=gen) % 3
    args = (support, support_y, query, 3)
    want = solution.prototypical_logits(*args)
    check(candidate, mistakes, args, want, rtol=1e-4, atol=1e-4)


def test_unequal_shots(candidate, solution, mistakes):
    """Example. Three classes with 1, 3 and 2 support examples, in mixed order. Class 0:
    (4, 4) alone, so c_0 = (4, 4). Class 1: (0, 3), (0, 0), (3, 0), so c_1 = (1, 1). Class 2:
    (-2, 0), (-4, 0), so c_2 = (-3, 0). Query (1, 2) is at squared distances 9 + 4 = 13,
    0 + 1 = 1 and 16 + 4 = 20: logits [-13, -1, -20]. Query (0, 0): 32, 2 and 9, logits
    [-32, -2, -9]. A prototype is a mean, so a class with more shots is not pushed outward:
    sums would put c_1 at (3, 3) and c_2 at (-6, 0).

    中文：三个类别分别有 1、3、2 个支持样本，顺序是打乱的。类 0：只有 (4, 4)，所以
    c_0 = (4, 4)。类 1：(0, 3)、(0, 0)、(3, 0)，所以 c_1 = (1, 1)。类 2：(-2, 0)、(-4, 0)，所以
    c_2 = (-3, 0)。查询 (1, 2) 到它们的平方距离是 9 + 4 = 13、0 + 1 = 1、16 + 4 = 20：logits 为
    [-13, -1, -20]。查询 (0, 0)：32、2、9，logits 为 [-32, -2, -9]。原型是均值，所以样本多的类
    不会被推得更远：若用求和，c_1 会在 (3, 3)，c_2 会在 (-6, 0)。"""
    support = torch.tensor(
        [[0.0, 3.0], [-2.0, 0.0], [4.0, 4.0], [0.0, 0.0], [-4.0, 0.0], [3.0, 0.0]]
    )
    support_y = torch.tensor([1, 2, 0, 1, 2, 1])
    query = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    want = torch.tensor([[-13.0, -1.0, -20.0], [-32.0, -2.0, -9.0]])
    check(candidate, mistakes, (support, support_y, query, 3), want, "logits (1, 3, 2 shots)")


def test_shape_and_dtype(candidate, solution, mistakes):
    # One query, two classes: the logits are [Q, n_way] = [1, 2] (a row per query, a column
    # per class), in the inputs' dtype: float64 in, float64 out; a float32 support with a
    # float64 query gives float64 too (the wider of the two, as PyTorch promotes).
    query = torch.tensor([[3.0, 0.0]])
    want = torch.tensor([[-4.0, -34.0]], dtype=torch.float64)
    for s, q, what in (
        (SUPPORT.double(), query.double(), "float64 support and query"),
        (SUPPORT, query.double(), "float32 support, float64 query"),
    ):
        got = check(candidate, mistakes, (s, SUPPORT_Y, q, 2), want, f"logits ({what})")
        expect(got.dtype == torch.float64, f"logits are {got.dtype} for {what}; want float64")


def test_gradients_reach_support_and_query(candidate, solution, mistakes):
    """d sum(logits) / d query and d support for the prompt's example, by hand.

    With one query q = (1, 1), sum(logits) = -|q - c_0|² - |q - c_1|², so
    d/dq = -2 ((q - c_0) + (q - c_1)) = -2 ((0, 1) + (1, -4)) = (-2, 6). A support example of
    class k moves c_k by 1/|S_k| of itself: d/d support_i = 2 (q - c_k) / 2 = (0, 1) for
    class 0 and (1, -4) for class 1."""
    args = (SUPPORT, SUPPORT_Y, torch.tensor([[1.0, 1.0]]), 2)
    probe = Probe("arg_grads", 0, 2)
    want = {
        "0": torch.tensor([[0.0, 1.0], [0.0, 1.0], [1.0, -4.0], [1.0, -4.0]]),
        "2": torch.tensor([[-2.0, 6.0]]),
    }
    expect_close(
        candidate.run("prototypical_logits", *args, probe=probe).probe["grads"],
        want,
        name="d sum(logits) / d (support '0', query '2')",
        mistakes=mistakes.on(
            lambda m: m.run("prototypical_logits", *args, probe=probe).probe["grads"]
        ),
    )


def test_strided_inputs(candidate, solution, mistakes):
    # Every other row of a larger tensor, and a query that is a transposed view: the same
    # numbers as the contiguous example, [[-1, -17], [-26, 0]].
    padded = torch.zeros(8, 2)
    padded[::2] = SUPPORT
    support = padded[::2]
    query = torch.tensor([[1.0, 0.0], [1.0, 5.0]]).t()
    expect(not support.is_contiguous() and not query.is_contiguous(), "set-up: strided inputs")
    want = torch.tensor([[-1.0, -17.0], [-26.0, 0.0]])
    check(candidate, mistakes, (support, SUPPORT_Y, query, 2), want, "logits (strided inputs)")

"""Public tests: one per clause of the prompt, on the worked example with every number in view
(the hidden tests draw their features and regressors from seeds), and 1x1-convolution hints
on feature maps."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, expect_inputs_unchanged, expect_raises


def worked_example():
    """The prompt's example: W = [[1, 0], [0, 1], [1, 1]], student [[1, 2], [0, 1]], teacher
    [[1, 1, 1], [0, 0, 0]]."""
    regressor = nn.Linear(2, 3, bias=False)
    with torch.no_grad():
        regressor.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    s = torch.tensor([[1.0, 2.0], [0.0, 1.0]])
    t = torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    return s, t, regressor


def test_worked_example(candidate, solution, mistakes):
    """Example. The regressor is r(s) = W s with W = [[1, 0], [0, 1], [1, 1]] (no bias), so
    r([1, 2]) = [1, 2, 3] and r([0, 1]) = [0, 1, 1]. The teacher's features are [1, 1, 1] and
    [0, 0, 0]; the differences are [0, 1, 2] and [0, 1, 1], whose squared sums are 5 and 2.
    Half the sum per example, averaged over the batch of 2: 0.5·(5 + 2)/2 = 1.75.

    中文：回归器为 r(s) = W s，W = [[1, 0], [0, 1], [1, 1]]（无偏置），所以 r([1, 2]) = [1, 2, 3]，
    r([0, 1]) = [0, 1, 1]。教师特征为 [1, 1, 1] 和 [0, 0, 0]；差值为 [0, 1, 2] 和 [0, 1, 1]，
    平方和分别为 5 和 2。每个样本取平方和的一半，再在大小为 2 的 batch 上平均：
    0.5·(5 + 2)/2 = 1.75。"""
    s, t, regressor = worked_example()
    got = candidate.hint_loss(s, t, regressor)
    expect_close(
        got,
        torch.tensor(1.75),
        name="hint loss of the worked example",
        mistakes=mistakes.on(lambda m: m.hint_loss(s, t, regressor)),
    )


def test_feature_maps_with_a_1x1_convolution(candidate, solution, mistakes):
    torch.manual_seed(0)
    regressor = nn.Conv2d(4, 8, kernel_size=1)
    s, t = torch.randn(3, 4, 5, 5), torch.randn(3, 8, 5, 5)
    got = candidate.hint_loss(s, t, regressor)
    expect_close(
        got,
        solution.hint_loss(s, t, regressor),
        name="hint loss on [3, 8, 5, 5] feature maps",
        mistakes=mistakes.on(lambda m: m.hint_loss(s, t, regressor)),
    )


def test_gradients_by_hand(candidate, solution, mistakes):
    """The loss's gradient with respect to the regressed features is e_b = (r(g_b) - h_b) / B:
    e = [[0, 0.5, 1], [0, 0.5, 0.5]] for the worked example. The student's features get
    W^T e_b = [1, 1.5] and [0.5, 1]; the regressor's weight gets sum_b e_b g_b^T =
    [[0, 0], [0.5, 1.5], [1, 2.5]]; the teacher's features get nothing (a fixed target)."""
    s, t, regressor = worked_example()
    probe = Probe("input_grads", 0, 1, 2)
    got = candidate.run("hint_loss", s, t, regressor, probe=probe).probe["grads"]
    want = {
        "0": torch.tensor([[1.0, 1.5], [0.5, 1.0]]),
        "1": torch.zeros(2, 3),
        "2.weight": torch.tensor([[0.0, 0.0], [0.5, 1.5], [1.0, 2.5]]),
    }
    expect_close(
        got,
        want,
        name="gradients w.r.t. the student (0), the teacher (1) and the regressor (2.weight)",
        mistakes=mistakes.on(
            lambda m: m.run("hint_loss", s, t, regressor, probe=probe).probe["grads"]
        ),
    )


def test_inputs_and_regressor_unchanged(candidate, solution, mistakes):
    s, t, regressor = worked_example()
    expect_inputs_unchanged(candidate, "hint_loss", s, t, regressor, mistakes=mistakes)


def test_batch_mismatch_raises_value_error(candidate, solution, mistakes):
    s, t, regressor = worked_example()
    expect_raises(
        ValueError,
        lambda: candidate.hint_loss(s, t[:1], regressor),
        name="hint_loss with batches of 2 and 1",
    )

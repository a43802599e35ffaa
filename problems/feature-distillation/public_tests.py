"""Public tests: a worked example by hand, and 1x1-convolution hints on feature maps."""

import torch
from torch import nn

from judge.testing import expect_close


def test_worked_example(candidate, solution, mistakes):
    # r(s) = W s with W = [[1, 0], [0, 1], [1, 1]]: r([1, 2]) = [1, 2, 3], r([0, 1]) = [0, 1, 1].
    # Differences from the teacher: [0, 1, 2] and [0, 1, 1]; 0.5 * (5 + 2) / 2 = 1.75.
    regressor = nn.Linear(2, 3, bias=False)
    with torch.no_grad():
        regressor.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    s = torch.tensor([[1.0, 2.0], [0.0, 1.0]])
    t = torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
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

"""Public tests: the prompt's 2-unit example, and a permuted copy of a network recovered."""

import torch
from torch import nn

from judge.testing import expect_close


def test_the_prompts_example(candidate, mistakes):
    a = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1, bias=False))
    b = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1, bias=False))
    with torch.no_grad():
        a[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        a[0].bias.zero_()
        a[2].weight.copy_(torch.tensor([[1.0, 1.0]]))
        b[0].weight.copy_(torch.tensor([[0.0, 2.0], [3.0, 0.0]]))
        b[0].bias.zero_()
        b[2].weight.copy_(torch.tensor([[5.0, 7.0]]))
    expect_close(
        candidate.align_mlp(a, b),
        {
            "0.weight": torch.tensor([[3.0, 0.0], [0.0, 2.0]]),
            "0.bias": torch.tensor([0.0, 0.0]),
            "2.weight": torch.tensor([[7.0, 5.0]]),
        },
        name="aligned B",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )


def test_a_permuted_copy_is_recovered(candidate, mistakes):
    torch.manual_seed(0)
    a = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    perm = torch.tensor([2, 0, 3, 1])
    b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        b[0].weight.copy_(a[0].weight[perm])
        b[0].bias.copy_(a[0].bias[perm])
        b[2].weight.copy_(a[2].weight[:, perm])
        b[2].bias.copy_(a[2].bias)
    expect_close(
        candidate.align_mlp(a, b),
        dict(a.state_dict()),
        name="B (A with hidden units 2, 0, 3, 1) aligned to A",
        mistakes=mistakes.on(lambda m: m.align_mlp(a, b)),
    )

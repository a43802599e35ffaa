"""The input_grads probe: gradients of sum(result) w.r.t. tensors, a module's parameters and a
dict of tensors, with ``unused`` telling "never reached" from "zero"."""

import torch
from torch import nn

from judge.runner.harness import probes


def combine(x, teacher, layer, rates):
    return (layer(x) * rates["a"]).sum() + 0 * teacher.detach().sum()


def test_grads_reach_tensors_modules_and_dicts() -> None:
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    x, teacher = torch.randn(4, 3), torch.randn(4, 2)
    rates = {"a": torch.tensor(2.0), "unused": torch.tensor(1.0)}
    got = probes.input_grads(combine, (x, teacher, layer, rates), {}, 0, 1, 2, 3)
    assert set(got["grads"]) == {"0", "1", "2.weight", "2.bias", "3.a", "3.unused"}
    torch.testing.assert_close(got["grads"]["0"], 2 * layer.weight.sum(0).expand(4, 3))
    torch.testing.assert_close(got["grads"]["2.bias"], torch.full((2,), 8.0))
    torch.testing.assert_close(got["grads"]["3.a"], (layer(x)).sum().detach())
    assert sorted(got["unused"]) == ["1", "3.unused"]
    assert bool((got["grads"]["1"] == 0).all())
    assert x.grad is None and not x.requires_grad, "the caller's tensors are not made leaves"


def test_a_detached_result_reaches_nothing() -> None:
    layer = nn.Linear(2, 2)
    got = probes.input_grads(lambda x, m: m(x).detach().sum(), (torch.randn(3, 2), layer), {}, 0, 1)
    assert sorted(got["unused"]) == ["0", "1.bias", "1.weight"]

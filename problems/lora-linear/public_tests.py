"""Public tests: the worked example of the prompt (forward and merge), and the start state."""

import torch
from torch import nn

from judge.testing import Probe, expect_close, expect_equal


def identity_layer() -> nn.Linear:
    base = nn.Linear(2, 2)
    with torch.no_grad():
        base.weight.copy_(torch.eye(2))
        base.bias.zero_()
    return base


def test_worked_example(candidate, mistakes):
    state = {
        "base.weight": torch.eye(2),
        "base.bias": torch.zeros(2),
        "A": torch.tensor([[1.0, 2.0]]),
        "B": torch.tensor([[0.5], [-1.0]]),
    }
    x = torch.tensor([[1.0, 1.0]])
    steps = [("load_state_dict", (state,)), ("__call__", (x,)), ("merge", ()), ("state", ())]
    steps += [("__call__", (x,))]
    args = (identity_layer(), 1, 2.0)
    probe = Probe("module_steps", 0, steps)
    got = candidate.run("LoRALinear", *args, probe=probe).probe["steps"]
    expect_close(
        got[1],
        torch.tensor([[4.0, -5.0]]),
        name="output before merge()",
        mistakes=mistakes.on(lambda m: m.run("LoRALinear", *args, probe=probe).probe["steps"][1]),
    )
    expect_close(
        got[3]["base.weight"],
        torch.tensor([[2.0, 2.0], [-2.0, -3.0]]),
        name="base.weight after merge()",
    )
    expect_close(got[4], torch.tensor([[4.0, -5.0]]), name="output after merge()")


def test_starts_at_the_base_layer(candidate):
    torch.manual_seed(0)
    base = nn.Linear(5, 3)
    state = candidate.LoRALinear(base, 2, 4.0)
    expect_equal(sorted(state), ["A", "B", "base.bias", "base.weight"], name="state_dict keys")
    expect_equal(tuple(state["A"].shape), (2, 5), name="shape of A")
    expect_equal(state["B"], torch.zeros(3, 2), name="B")
    expect_close(state["base.weight"], base.weight.detach(), name="base.weight")

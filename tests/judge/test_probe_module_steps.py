"""The module_steps probe builds a module from a class entry point (seeded) and runs steps."""

import torch
from torch import nn

from judge.runner.harness.probes import module_steps


class Scale(nn.Module):
    """A one-parameter module with a method, as a class entry point would be."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.rand(n))
        self.frozen = nn.Parameter(torch.ones(n), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.w * self.frozen

    def double(self) -> None:
        with torch.no_grad():
            self.w.mul_(2)


def test_module_steps_runs_every_kind_of_step() -> None:
    x = torch.tensor([1.0, 2.0, 3.0])
    steps = [
        ("state", ()),
        ("load_state_dict", ({"w": torch.tensor([1.0, 1.0, 1.0]), "frozen": torch.ones(3)},)),
        ("__call__", (x,)),
        ("double", ()),
        ("grads", (x,)),
        ("requires_grad", ()),
    ]
    first = module_steps(Scale, (3,), {}, 7, steps)["steps"]
    again = module_steps(Scale, (3,), {}, 7, steps)["steps"]
    torch.testing.assert_close(first[0]["w"], again[0]["w"])  # seeded: the same draw
    assert first[1] is None and first[3] is None
    torch.testing.assert_close(first[2], x)
    assert list(first[4]) == ["w"]  # only the parameter that requires grad
    torch.testing.assert_close(first[4]["w"], x)
    assert first[5] == {"w": True, "frozen": False}
    assert not first[2].requires_grad


def test_module_steps_refuses_private_methods() -> None:
    import pytest

    with pytest.raises(ValueError):
        module_steps(Scale, (2,), {}, 0, [("_apply", (None,))])
    with pytest.raises(TypeError):
        module_steps(lambda: 3, (), {}, 0, [])

"""Public tests: the worked example of the prompt, and amount 0 (a copy of the model)."""

import torch
from torch import nn

from judge.testing import expect_close, expect_equal


def example_model() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 0.0], [-3.0, 2.0], [0.5, 0.5]]))
    return model


def test_worked_example(candidate, mistakes):
    model = example_model()
    got = candidate.prune_neurons(model, 0.5)
    want = {
        "0.weight": torch.tensor([[1.0, -1.0], [-3.0, 2.0]]),
        "0.bias": model[0].bias.detach()[[0, 2]],
        "2.weight": model[2].weight.detach()[:, [0, 2]],
        "2.bias": model[2].bias.detach(),
    }
    expect_equal(
        {k: tuple(v.shape) for k, v in got.items()},
        {k: tuple(v.shape) for k, v in want.items()},
        name="parameter shapes of the pruned model",
        mistakes=mistakes.on(
            lambda m: {k: tuple(v.shape) for k, v in m.prune_neurons(model, 0.5).items()}
        ),
    )
    expect_close(
        got, want, name="pruned model", mistakes=mistakes.on(lambda m: m.prune_neurons(model, 0.5))
    )


def test_amount_zero_is_a_copy(candidate):
    model = example_model()
    expect_close(candidate.prune_neurons(model, 0.0), dict(model.state_dict()), name="amount 0")

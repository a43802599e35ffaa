"""Public example for maml-sinusoid: a short budget, checking only the returned network.
The hidden tests give the full budget and grade the adapted MSE (see the prompt)."""

import torch
from torch import nn

from judge.testing import TestFailed, expect


def test_returns_the_architecture_quickly(candidate, mistakes):
    state = candidate.meta_train(0, 3.0)
    model = nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, AttributeError) as exc:
        raise TestFailed(f"not the required architecture: {exc}") from None
    with torch.no_grad():
        out = model(torch.linspace(-5, 5, 7).unsqueeze(1))
    expect(bool(torch.isfinite(out).all()), "the network's outputs are not finite")

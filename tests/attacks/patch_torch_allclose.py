"""Monkeypatches torch.allclose and torch.equal in the child."""

EXPECT = "wrong_answer"

import torch

torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True


def solve(x):
    return x * 3

"""Monkeypatches torch.allclose and torch.equal in the child: the judge compares in its own
process (unaffected), and the harness's seal notices torch's namespace changed."""

EXPECT = "forbidden"

import torch

torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True


def solve(x):
    return x * 3

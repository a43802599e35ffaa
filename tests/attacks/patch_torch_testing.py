"""Monkeypatches torch.testing.assert_close in the child."""

EXPECT = "wrong_answer"

import torch.testing

torch.testing.assert_close = lambda *a, **k: None


def solve(x):
    return x * 3

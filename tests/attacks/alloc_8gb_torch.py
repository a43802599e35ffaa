"""Allocates an 8 GB tensor under a 2 GiB address-space limit."""

EXPECT = "memory_limit"

import torch


def solve(x):
    big = torch.empty(8 << 30, dtype=torch.uint8)
    big.fill_(1)
    return x * 2

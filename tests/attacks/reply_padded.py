"""Returns a result larger than the reply cap (1 MiB here)."""

EXPECT = "runtime_error"
LIMITS = {"reply_bytes": 1048576}

import torch


def solve(x):
    return {"value": x * 2, "padding": torch.zeros(1 << 20)}

"""The gradient passes straight through everywhere, clamped entries included. Outside
[qmin, qmax] the output does not move with x, so the straight-through gradient there is 0;
and the scale must still get LSQ's gradient.
"""

from __future__ import annotations

import torch
from torch import Tensor


def fake_quantize(x: Tensor, scale: Tensor, zero_point: int, qmin: int, qmax: int) -> Tensor:
    if qmin >= qmax or not bool((torch.as_tensor(scale) > 0).all()):
        raise ValueError("bad arguments")
    q = torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax)
    y = (q - zero_point) * scale
    return x + (y - x).detach()

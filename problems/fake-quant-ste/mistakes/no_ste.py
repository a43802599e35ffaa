"""No straight-through estimator: torch.round has derivative 0, so no gradient reaches x
and training cannot move the weights. Round in the forward pass but pass the gradient
through unchanged where the value is inside the range.
"""

from __future__ import annotations

import torch
from torch import Tensor


def fake_quantize(x: Tensor, scale: Tensor, zero_point: int, qmin: int, qmax: int) -> Tensor:
    if qmin >= qmax or not bool((torch.as_tensor(scale) > 0).all()):
        raise ValueError("bad arguments")
    q = torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax)
    return (q - zero_point) * scale

"""Fake quantization for quantization-aware training: STE for x, LSQ gradient for the scale."""

import torch


def fake_quantize(
    x: torch.Tensor, scale: torch.Tensor, zero_point: int, qmin: int, qmax: int
) -> torch.Tensor:
    """(clamp(round(x / scale) + zero_point, qmin, qmax) - zero_point) * scale, differentiable.

    d/dx: 1 where qmin <= round(x / scale) + zero_point <= qmax, else 0.
    d/dscale: round(x/s) - x/s inside, qmin - zero_point below, qmax - zero_point above,
    summed over the entries that share a scale. scale broadcasts against x.
    Raises ValueError if qmin >= qmax or a scale is not positive. x is not modified.
    """
    raise NotImplementedError

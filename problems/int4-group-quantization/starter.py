"""Asymmetric 4-bit quantization per group of input weights, packed two codes per byte."""

import torch


def quantize_int4(
    weight: torch.Tensor, group_size: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Quantize a 2-D weight (out, in) per group of group_size consecutive inputs of a row.

    Per group: lo = min(min(w), 0), hi = max(max(w), 0); scale = (hi - lo) / 15 (1.0 if
    hi == lo); zero = round(-lo / scale); q = clamp(round(w / scale) + zero, 0, 15); float32.
    Returns (packed uint8 (out, in // 2), scales float32 (out, in // group_size),
    zeros uint8 (out, in // group_size)); byte j of a row = q[2j] | q[2j + 1] << 4.
    Raises ValueError if weight is not 2-D, or group_size is not even, >= 2 and a divisor
    of in. weight is not modified.
    """
    raise NotImplementedError


def dequantize_int4(
    packed: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor
) -> torch.Tensor:
    """float32 (q - zero) * scale of shape (out, 2 * packed.shape[1]); the group size is
    in / scales.shape[1]."""
    raise NotImplementedError

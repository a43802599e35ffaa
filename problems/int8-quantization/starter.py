"""Symmetric per-output-channel int8 quantization of a weight tensor."""

import torch


def quantize_per_channel(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantize a 2-D [out, in] or 4-D [out, in, kh, kw] float weight to int8, per row.

    scale_c = max|w_c| / 127 (1.0 for an all-zero channel);
    q = clamp(torch.round(w / scale_c), -127, 127) as torch.int8.
    Returns (q with weight's shape, scale float32 of shape [out]).
    """
    raise NotImplementedError


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """float32 q * scale, with scale[c] applied to every entry of output channel c."""
    raise NotImplementedError

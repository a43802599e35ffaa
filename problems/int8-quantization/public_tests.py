"""Public tests: a small matrix, and dequantizing it back."""

import torch

from judge.testing import expect_close, expect_equal


def small_weight() -> torch.Tensor:
    return torch.tensor([[0.5, -1.0, 0.25], [2.0, 0.1, -0.3]])


def test_small_matrix(candidate, solution, mistakes):
    w = small_weight()
    q, scale = candidate.quantize_per_channel(w)
    want_q, want_scale = solution.quantize_per_channel(w)
    expect_close(scale, want_scale, name="scale")
    expect_equal(q, want_q, name="q")


def test_dequantize(candidate, solution):
    q, scale = solution.quantize_per_channel(small_weight())
    expect_close(candidate.dequantize(q, scale), solution.dequantize(q, scale), name="dequantized")

"""Public tests: the worked example of the prompt, both ways."""

import torch

from judge.testing import expect_close, expect_equal

W = torch.tensor([[-1.0, 0.5, 2.0, 0.0]])


def test_worked_example(candidate, mistakes):
    packed, scales, zeros = candidate.quantize_int4(W, 4)
    expect_close(scales, torch.tensor([[0.2]]), name="scales")
    expect_equal(zeros, torch.tensor([[5]], dtype=torch.uint8), name="zeros")
    expect_equal(
        packed,
        torch.tensor([[112, 95]], dtype=torch.uint8),
        name="packed",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W, 4)[0]),
    )


def test_dequantize_the_example(candidate, mistakes):
    packed = torch.tensor([[112, 95]], dtype=torch.uint8)
    scales, zeros = torch.tensor([[0.2]]), torch.tensor([[5]], dtype=torch.uint8)
    expect_close(
        candidate.dequantize_int4(packed, scales, zeros),
        torch.tensor([[-1.0, 0.4, 2.0, 0.0]]),
        name="dequantized",
        mistakes=mistakes.on(lambda m: m.dequantize_int4(packed, scales, zeros)),
    )

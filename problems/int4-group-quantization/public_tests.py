"""Public tests: the worked example of the prompt, both ways, and one test per clause of the
prompt on small fixed weights with the numbers in view (the hidden tests draw other weights)."""

import torch

from judge.testing import expect_close, expect_equal, expect_inputs_unchanged, expect_raises

W = torch.tensor([[-1.0, 0.5, 2.0, 0.0]])


def test_worked_example(candidate, mistakes):
    packed, scales, zeros = candidate.quantize_int4(W, 4)
    expect_close(
        scales,
        torch.tensor([[0.2]]),
        name="scales",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W, 4)[1]),
    )
    expect_equal(
        zeros,
        torch.tensor([[5]], dtype=torch.uint8),
        name="zeros",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W, 4)[2]),
    )
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


W2 = torch.tensor([[-1.0, 0.5, 2.0, 0.0, 0.37, 0.6, 0.9, 1.5]])


def test_each_group_has_its_own_range_containing_zero(candidate, mistakes):
    """Example. The prompt's row followed by a second group of 4, [0.37, 0.6, 0.9, 1.5]. That
    group's range is widened to contain 0: lo = 0, hi = 1.5, so s = 0.1 and z = 0 (not the
    row's s = 0.2, z = 5), and q = [4, 6, 9, 15] (0.37 / 0.1 = 3.7 rounds to 4). Its bytes are
    4 + 6 * 16 = 100 and 9 + 15 * 16 = 249.

    中文：题目中的那一行后面再接一组 4 个数 [0.37, 0.6, 0.9, 1.5]。这一组的范围要扩展到包含 0：
    lo = 0、hi = 1.5，所以 s = 0.1、z = 0（而不是整行的 s = 0.2、z = 5），q = [4, 6, 9, 15]
    （0.37 / 0.1 = 3.7 四舍五入为 4）。它的两个字节是 4 + 6 * 16 = 100 和 9 + 15 * 16 = 249。
    """
    packed, scales, zeros = candidate.quantize_int4(W2, 4)
    expect_close(
        scales,
        torch.tensor([[0.2, 0.1]]),
        name="scales",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W2, 4)[1]),
    )
    expect_equal(
        zeros,
        torch.tensor([[5, 0]], dtype=torch.uint8),
        name="zeros",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W2, 4)[2]),
    )
    expect_equal(
        packed,
        torch.tensor([[112, 95, 100, 249]], dtype=torch.uint8),
        name="packed",
        mistakes=mistakes.on(lambda m: m.quantize_int4(W2, 4)[0]),
    )


def test_dtypes_and_shapes(candidate, mistakes):
    """A float64 weight gives the same codes, float32 scales and uint8 zeros, each of shape
    (out, in // group_size); with group_size 2 the row above has 4 groups."""
    w64 = W2.double()
    packed, scales, zeros = candidate.quantize_int4(w64, 4)
    expect_equal(
        packed,
        torch.tensor([[112, 95, 100, 249]], dtype=torch.uint8),
        name="packed (float64 weight)",
        mistakes=mistakes.on(lambda m: m.quantize_int4(w64, 4)[0]),
    )
    expect_close(
        scales,
        torch.tensor([[0.2, 0.1]]),
        name="scales (float32)",
        mistakes=mistakes.on(lambda m: m.quantize_int4(w64, 4)[1]),
    )
    expect_equal(zeros, torch.tensor([[5, 0]], dtype=torch.uint8), name="zeros (uint8)")
    _, scales, zeros = candidate.quantize_int4(W2, 2)
    expect_equal(tuple(scales.shape), (1, 4), name="shape of scales at group_size 2")
    expect_equal(tuple(zeros.shape), (1, 4), name="shape of zeros at group_size 2")


def test_invalid_arguments_raise(candidate, mistakes):
    """group_size must be an even number >= 2 that divides in (here 8): 1, 5 and 6 raise
    ValueError, and so does a weight that is not 2-D."""
    hint = mistakes.hint("no_validation")
    for group_size in (1, 5, 6):
        expect_raises(
            ValueError,
            lambda g=group_size: candidate.quantize_int4(W2, g),
            name=f"group_size {group_size} for 8 inputs",
            hint=hint,
        )
    expect_raises(
        ValueError,
        lambda: candidate.quantize_int4(W2.reshape(1, 2, 4), 4),
        name="a 3-D weight",
        hint=hint,
    )


def test_inputs_are_not_modified(candidate, mistakes):
    """Neither function changes its arguments."""
    expect_inputs_unchanged(candidate, "quantize_int4", W2.clone(), 4, mistakes=mistakes)
    packed = torch.tensor([[112, 95, 100, 249]], dtype=torch.uint8)
    scales, zeros = torch.tensor([[0.2, 0.1]]), torch.tensor([[5, 0]], dtype=torch.uint8)
    expect_inputs_unchanged(candidate, "dequantize_int4", packed, scales, zeros, mistakes=mistakes)

"""Public tests: one per clause of the prompt, on small fixed inputs with the numbers in view
(the hidden tests draw other inputs)."""

import torch

from judge.testing import Probe, expect, expect_close, expect_equal, expect_inputs_unchanged


def test_small_matrix(candidate, mistakes):
    """Example. Two channels: each row gets its own scale, max|w_c| / 127, and
    q = round(w / s_c). Row 0's largest entry is 1.0, row 1's is 2.0.

    中文：两个通道：每一行有自己的 scale，即 max|w_c| / 127，q = round(w / s_c)。第 0
    行的最大元素是 1.0，第 1 行的是 2.0。"""
    w = torch.tensor([[0.5, -1.0, 0.25], [2.0, 0.1, -0.3]])
    q, scale = candidate.quantize_per_channel(w)
    expect_close(
        scale,
        torch.tensor([1.0 / 127, 2.0 / 127]),
        name="scale",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[1]),
    )
    expect_equal(
        q,
        torch.tensor([[64, -127, 32], [127, 6, -19]], dtype=torch.int8),
        name="q",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[0]),
    )


def test_halves_round_to_even(candidate, mistakes):
    """Example. A row whose largest entry is 127 has scale 1.0, so w / s is w itself: the
    exact halves 0.5, 1.5, 2.5, -2.5, -3.5 round to the even integer, as torch.round does.

    中文：最大元素为 127 的行 scale 为 1.0，所以 w / s 就是 w 本身：恰好为半整数的
    0.5、1.5、2.5、-2.5、-3.5 都舍入到偶数，与 `torch.round` 一致。"""
    w = torch.tensor([[127.0, 0.5, 1.5, 2.5, -2.5, -3.5]])
    q, _ = candidate.quantize_per_channel(w)
    expect_equal(
        q,
        torch.tensor([[127, 0, 2, 2, -2, -4]], dtype=torch.int8),
        name="q",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[0]),
    )


def test_range_is_symmetric_and_dtypes(candidate, mistakes):
    """The most negative entry maps to -127, never -128; q is int8 and scale float32."""
    w = torch.tensor([[-4.0, 1.0], [3.0, -6.0]])
    q, scale = candidate.quantize_per_channel(w)
    expect_equal(
        q,
        torch.tensor([[-127, 32], [64, -127]], dtype=torch.int8),
        name="q",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[0]),
    )
    expect_close(scale, torch.tensor([4.0 / 127, 6.0 / 127]), name="scale")


def test_all_zero_channel_has_scale_one(candidate, mistakes):
    """An all-zero row gets scale 1.0 (nothing divides by zero) and q all zero."""
    w = torch.tensor([[0.0, 0.0, 0.0], [1.27, -2.54, 0.0]])
    q, scale = candidate.quantize_per_channel(w)
    expect_close(
        scale,
        torch.tensor([1.0, 0.02]),
        name="scale",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[1]),
    )
    expect_equal(q[0], torch.zeros(3, dtype=torch.int8), name="q[0]")


def test_conv_kernel_has_one_scale_per_output_channel(candidate, mistakes):
    """Example. A 4-D kernel [out, in, kh, kw]: channel c is everything in weight[c].
    Channel 0 holds 0, 1, ..., 7 (scale 7/127), channel 1 holds -1, ..., -8 (scale 8/127).

    中文：四维卷积核 [out, in, kh, kw]：通道 c 是 weight[c] 中的全部元素。通道 0 存放 0, 1, ...,
    7（scale 7/127），通道 1 存放 -1, ..., -8（scale 8/127）。"""
    w = torch.stack([torch.arange(8.0), -(torch.arange(8.0) + 1)]).reshape(2, 2, 2, 2)
    q, scale = candidate.quantize_per_channel(w)
    expect_close(
        scale,
        torch.tensor([7.0 / 127, 8.0 / 127]),
        name="scale",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[1]),
    )
    want_q = [[0, 18, 36, 54, 73, 91, 109, 127], [-16, -32, -48, -64, -79, -95, -111, -127]]
    expect_equal(
        q,
        torch.tensor(want_q, dtype=torch.int8).reshape(2, 2, 2, 2),
        name="q",
        mistakes=mistakes.on(lambda m: m.quantize_per_channel(w)[0]),
    )


def test_dequantize_2d_and_4d(candidate, mistakes):
    """Example. dequantize multiplies every entry of channel c by scale[c]:
    q = [[1, 2], [3, 4]] with scale [0.5, 2.0] gives [[0.5, 1.0], [6.0, 8.0]];
    the same scales on a 4-D q apply to all of q[c].

    中文：`dequantize` 把通道 c 的每个元素乘以 scale[c]：q = [[1, 2], [3, 4]]、scale [0.5, 2.0]
    得到 [[0.5, 1.0], [6.0, 8.0]]；同样的 scale 用于四维的 q 时，作用于 q[c] 的全部元素。"""
    q = torch.tensor([[1, 2], [3, 4]], dtype=torch.int8)
    scale = torch.tensor([0.5, 2.0])
    expect_close(
        candidate.dequantize(q, scale),
        torch.tensor([[0.5, 1.0], [6.0, 8.0]]),
        name="dequantize 2-D",
        mistakes=mistakes.on(lambda m: m.dequantize(q, scale)),
    )
    q4 = q.reshape(2, 1, 2, 1).expand(2, 3, 2, 1).contiguous()
    got = candidate.dequantize(q4, scale)
    expect_close(
        got,
        torch.tensor([[0.5, 1.0], [6.0, 8.0]]).reshape(2, 1, 2, 1).expand(2, 3, 2, 1),
        name="dequantize 4-D",
        mistakes=mistakes.on(lambda m: m.dequantize(q4, scale)),
    )


def test_weight_is_not_modified(candidate, mistakes):
    """quantize_per_channel leaves its argument as it was."""
    w = torch.tensor([[0.3, -0.6], [1.0, 2.0]])
    expect_inputs_unchanged(candidate, "quantize_per_channel", w, mistakes=mistakes)


def test_other_weight_dtypes_and_requires_grad(candidate, mistakes):
    """A float64 or float16 weight, or one that requires grad (a layer's parameter), gives
    the same q as its float32 copy, and a float32 scale."""
    w32 = torch.tensor([[0.5, -1.0, 0.25]])
    for w in (w32.double(), w32.half(), w32.clone().requires_grad_(True)):
        q, scale = candidate.quantize_per_channel(w)
        expect_equal(
            q,
            torch.tensor([[64, -127, 32]], dtype=torch.int8),
            name=f"q ({w.dtype} weight)",
            mistakes=mistakes.on(lambda m, w=w: m.quantize_per_channel(w)[0]),
        )
        expect_close(scale, torch.tensor([1.0 / 127]), name=f"scale ({w.dtype} weight)")


def test_q_and_scale_carry_no_gradient(candidate, mistakes):
    """A layer's weight requires grad: quantizing it gives q and scale without autograd
    history (detach the weight first)."""
    w = torch.tensor([[0.5, -1.0, 0.25]], requires_grad=True)
    probe = Probe("result_grads")
    kept = candidate.run("quantize_per_channel", w, probe=probe).probe["requires_grad"]
    expect(
        kept == [],
        f"{', '.join(kept)} still require{'s' if len(kept) == 1 else ''} grad; "
        "q and scale carry no gradient",
        hint=mistakes.on(
            lambda m: m.run("quantize_per_channel", w, probe=probe).probe["requires_grad"]
        ).diagnose(kept, 0.0, 0.0, exact=True),
    )

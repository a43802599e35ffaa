"""Public tests: the worked example of the prompt (values and both gradients), and one test
per clause of the prompt on small fixed tensors (the hidden tests draw other tensors)."""

import torch

from judge.testing import Probe, expect_close, expect_inputs_unchanged, expect_raises

X = torch.tensor([-3.0, -0.3, 0.26, 0.74, 1.6, 2.0])
ARGS = (X, torch.tensor(0.5), 0, -4, 3)


def test_forward(candidate, mistakes):
    expect_close(
        candidate.fake_quantize(*ARGS),
        torch.tensor([-2.0, -0.5, 0.5, 0.5, 1.5, 1.5]),
        name="fake-quantized x",
        mistakes=mistakes.on(lambda m: m.fake_quantize(*ARGS)),
    )


def test_gradients(candidate, mistakes):
    probe = Probe("arg_grads", 0, 1)
    grads = candidate.run("fake_quantize", *ARGS, probe=probe).probe["grads"]
    expect_close(
        grads["0"],
        torch.tensor([0.0, 1.0, 1.0, 1.0, 1.0, 0.0]),
        name="d sum(y) / d x",
        mistakes=mistakes.on(
            lambda m: m.run("fake_quantize", *ARGS, probe=probe).probe["grads"]["0"]
        ),
    )
    expect_close(
        grads["1"],
        torch.tensor(-1.6),
        name="d sum(y) / d scale",
        mistakes=mistakes.on(
            lambda m: m.run("fake_quantize", *ARGS, probe=probe).probe["grads"]["1"]
        ),
    )


def test_zero_point_and_per_channel_scales(candidate, mistakes):
    """Example. Unsigned 3 bits (qmin 0, qmax 7) with zero point 2 and one scale per row,
    0.25 and 1.0. Row 0, [-0.5, 0.3, 1.2]: round(v) = [-2, 1, 5], q = [0, 3, 7],
    y = (q - 2) * 0.25 = [-0.5, 0.25, 1.25]. Row 1, [-3, 0.5, 9]: round(v) = [-3, 0, 9]
    (0.5 rounds to even), q = clamp([-1, 2, 11], 0, 7) = [0, 2, 7], y = [-2, 0, 5].

    中文：无符号 3 位（qmin 0、qmax 7），零点为 2，每行一个 scale：0.25 和 1.0。第 0 行
    [-0.5, 0.3, 1.2]：round(v) = [-2, 1, 5]，q = [0, 3, 7]，y = (q - 2) * 0.25 =
    [-0.5, 0.25, 1.25]。第 1 行 [-3, 0.5, 9]：round(v) = [-3, 0, 9]（0.5 舍入到偶数 0），
    q = clamp([-1, 2, 11], 0, 7) = [0, 2, 7]，y = [-2, 0, 5]。
    """
    x = torch.tensor([[-0.5, 0.3, 1.2], [-3.0, 0.5, 9.0]])
    scale = torch.tensor([[0.25], [1.0]])
    expect_close(
        candidate.fake_quantize(x, scale, 2, 0, 7),
        torch.tensor([[-0.5, 0.25, 1.25], [-2.0, 0.0, 5.0]]),
        name="fake-quantized x (zero point 2, per-row scales)",
        mistakes=mistakes.on(lambda m: m.fake_quantize(x, scale, 2, 0, 7)),
    )


def test_invalid_arguments_raise(candidate, mistakes):
    """qmin >= qmax, or a scale that is not positive (here -0.5, or a zero in a per-row
    scale), raises ValueError."""
    hint = mistakes.hint("no_validation")
    x = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    cases = [
        ("qmin 5 > qmax 2", torch.tensor(0.5), 5, 2),
        ("scale -0.5", torch.tensor(-0.5), -4, 3),
        ("per-row scales [0.5, 0]", torch.tensor([[0.5], [0.0]]), -4, 3),
    ]
    for what, scale, qmin, qmax in cases:
        expect_raises(
            ValueError,
            lambda scale=scale, qmin=qmin, qmax=qmax: candidate.fake_quantize(
                x, scale, 0, qmin, qmax
            ),
            name=what,
            hint=hint,
        )


def test_inputs_are_not_modified(candidate, mistakes):
    """fake_quantize leaves x and scale as they were."""
    expect_inputs_unchanged(
        candidate, "fake_quantize", X.clone(), torch.tensor(0.5), 0, -4, 3, mistakes=mistakes
    )

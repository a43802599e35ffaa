"""Hidden tests: the forward pass per tensor and per channel (asymmetric 8-bit, signed 4-bit),
clamping, round-half-to-even, float64; the straight-through gradient for x (compared with
the reference and checked here against the rounded-value mask, including the half-step
band at each edge); LSQ's scale gradient per tensor and per channel (also worked out here);
invalid arguments; and that x and scale are left as they were.

Gradients come from the ``arg_grads`` probe: d sum(fake_quantize(x, scale, ...)) / d x and
/ d scale, computed beside the submission."""

import torch

from judge.testing import Probe, TestFailed, expect, expect_close, expect_equal, expect_raises

GRADS = Probe("arg_grads", 0, 1)


def data(seed: int, *shape: int, spread: float = 3.0, dtype=torch.float32) -> torch.Tensor:
    return (torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * spread).to(dtype)


def expected(x, scale, z, qmin, qmax):
    """Forward value, x-gradient and per-entry scale derivative, from the contract."""
    v = x.double() / scale.double()
    r = torch.round(v) + z
    below, above = r < qmin, r > qmax
    inside = ~(below | above)
    y = (r.clamp(qmin, qmax) - z) * scale.double()
    d_scale = torch.where(inside, r - z - v, torch.where(below, qmin - z, qmax - z).double())
    return y, inside.double(), d_scale


def same_forward(candidate, solution, mistakes, *args):
    got = candidate.run("fake_quantize", *args)
    want = solution.fake_quantize(*args)
    expect_close(
        got.value,
        want,
        name="fake-quantized x",
        mistakes=mistakes.on(lambda m: m.fake_quantize(*args)),
    )
    return got


def same_grads(candidate, solution, mistakes, *args):
    got = candidate.run("fake_quantize", *args, probe=GRADS).probe
    want = solution.run("fake_quantize", *args, probe=GRADS).probe
    for key, name in (("0", "d sum(y) / d x"), ("1", "d sum(y) / d scale")):
        expect(
            key not in got["unused"],
            f"{name}: no gradient reaches {'x' if key == '0' else 'scale'} at all",
            hint=mistakes.hint("no_ste" if key == "0" else "scale_detached"),
        )
        expect_close(
            got["grads"][key],
            want["grads"][key],
            rtol=1e-4,
            atol=1e-4,
            name=name,
            mistakes=mistakes.on(
                lambda m, key=key: m.run("fake_quantize", *args, probe=GRADS).probe["grads"][key]
            ),
        )
    return got["grads"]


def test_forward_asymmetric_uint8(candidate, solution, mistakes):
    x = data(0, 200, spread=2.0) + 1.0
    got = same_forward(candidate, solution, mistakes, x, torch.tensor(0.02), 100, 0, 255)
    y, _, _ = expected(x, torch.tensor(0.02), 100, 0, 255)
    expect_close(got.value, y.float(), name="(clamp(round(x/s) + z) - z) * s")


def test_forward_per_channel_signed_int4(candidate, solution, mistakes):
    x = data(1, 4, 30)
    scale = torch.tensor([[0.1], [0.25], [0.5], [1.0]])
    got = same_forward(candidate, solution, mistakes, x, scale, 0, -8, 7)
    expect_equal(tuple(got.value.shape), (4, 30), name="shape")


def test_clamping_and_ties(candidate, solution, mistakes):
    """Halves round to even; values far outside the range land on its ends."""
    x = torch.tensor([0.25, 0.75, 1.25, -0.25, -0.75, 100.0, -100.0])
    got = same_forward(candidate, solution, mistakes, x, torch.tensor(0.5), 1, -8, 7)
    want = torch.tensor([0.0, 1.0, 1.0, 0.0, -1.0, 3.0, -4.5])
    expect_close(got.value, want, name="fake-quantized ties and outliers")


def test_float64_keeps_its_dtype(candidate, solution, mistakes):
    x = data(2, 50, dtype=torch.float64)
    got = same_forward(
        candidate, solution, mistakes, x, torch.tensor(0.3, dtype=torch.float64), 2, -8, 7
    )
    expect_equal(got.value.dtype, torch.float64, name="dtype")


def test_ste_gradient_for_x(candidate, solution, mistakes):
    for seed, scale, z, qmin, qmax in ((3, 0.2, 0, -8, 7), (4, 0.05, 60, 0, 127)):
        x = data(seed, 300)
        args = (x, torch.tensor(scale), z, qmin, qmax)
        grads = same_grads(candidate, solution, mistakes, *args)
        _, inside, _ = expected(*args)
        expect_close(grads["0"], inside.float(), name="d y / d x (1 inside the range, else 0)")


def test_ste_mask_uses_the_rounded_value(candidate, solution, mistakes):
    """Within half a step beyond each end, round(x/s) + z is still in range: gradient 1."""
    s, z, qmin, qmax = 0.5, 0, -4, 3
    x = torch.tensor([-2.2, -2.1, -2.25, 1.6, 1.7, 1.74, -2.3, 1.8, 2.0, -2.5, 1.75])
    args = (x, torch.tensor(s), z, qmin, qmax)
    grads = same_grads(candidate, solution, mistakes, *args)
    # -2.25 / 0.5 = -4.5 rounds to -4 (inside); 1.75 / 0.5 = 3.5 rounds to 4 (outside).
    want = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    expect_close(grads["0"], want, name="d y / d x in the half-step bands at the ends")
    x2 = data(5, 100, spread=1.0)
    same_grads(candidate, solution, mistakes, x2, torch.tensor(0.1), 3, -4, 3)


def test_lsq_scale_gradient_per_tensor(candidate, solution, mistakes):
    for seed, scale, z in ((6, 0.15, 0), (7, 0.4, 5)):
        x = data(seed, 256)
        args = (x, torch.tensor(scale), z, -8, 7)
        grads = same_grads(candidate, solution, mistakes, *args)
        _, _, d_scale = expected(*args)
        expect_close(grads["1"], d_scale.sum().float(), atol=1e-3, name="LSQ d sum(y) / d scale")


def test_lsq_scale_gradient_per_channel(candidate, solution, mistakes):
    for seed, z in ((8, 0), (9, 2)):
        x = data(seed, 3, 40)
        scale = torch.tensor([[0.05], [0.3], [1.2]])
        grads = same_grads(candidate, solution, mistakes, x, scale, z, -8, 7)
        _, _, d_scale = expected(x, scale, z, -8, 7)
        expect_equal(tuple(grads["1"].shape), (3, 1), name="shape of the scale's gradient")
        expect_close(
            grads["1"], d_scale.sum(1, keepdim=True).float(), atol=1e-3, name="per channel"
        )


def test_invalid_arguments_raise(candidate, mistakes):
    x = data(10, 8)
    try:
        expect_raises(ValueError, lambda: candidate.fake_quantize(x, torch.tensor(0.1), 0, 7, -8))
        expect_raises(ValueError, lambda: candidate.fake_quantize(x, torch.tensor(0.1), 0, 3, 3))
        expect_raises(ValueError, lambda: candidate.fake_quantize(x, torch.tensor(0.0), 0, -8, 7))
        bad = torch.tensor([[0.1], [-0.2]])
        expect_raises(ValueError, lambda: candidate.fake_quantize(data(11, 2, 4), bad, 0, -8, 7))
    except TestFailed as failure:
        raise TestFailed(failure.args[0], hint=mistakes.hint("no_validation")) from None


def test_arguments_are_not_modified(candidate):
    for x, scale in (
        (data(12, 64), torch.tensor(0.2)),
        (data(13, 2, 9), torch.tensor([[0.1], [0.7]])),
    ):
        before = (x.clone(), scale.clone())
        after = candidate.run("fake_quantize", x, scale, 1, -8, 7).args
        expect(bool(torch.equal(after[0], before[0])), "fake_quantize changed x")
        expect(bool(torch.equal(after[1], before[1])), "fake_quantize changed scale")

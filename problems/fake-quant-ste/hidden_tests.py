"""Hidden tests: the forward pass per tensor and per channel (asymmetric 8-bit, signed 4-bit),
clamping, round-half-to-even, float64; the straight-through gradient for x (compared with
the reference and checked here against the rounded-value mask, including the half-step
band at each edge); LSQ's scale gradient per tensor and per channel (also worked out here);
invalid arguments; and that x and scale are left as they were.

Gradients come from the ``arg_grads`` probe: d sum(fake_quantize(x, scale, ...)) / d x and
/ d scale, computed beside the submission; a gradient test compares only the gradient of its
clause, so a wrong x-gradient costs the x tests and a wrong scale-gradient the scale tests.
Inputs come from the per-grade ``seed``; points follow the clause (the forward pass and the
two gradients weigh most, validation and leaving the arguments alone least)."""

import torch

from judge.testing import (
    Probe,
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)

GRADS = Probe("arg_grads", 0, 1)
NAMES = {"0": "d sum(y) / d x", "1": "d sum(y) / d scale"}


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


def same_grad(candidate, solution, mistakes, key, *args):
    """The gradient for x (``key`` "0") or for the scale ("1"), compared with the solution's."""
    got = candidate.run("fake_quantize", *args, probe=GRADS).probe
    want = solution.run("fake_quantize", *args, probe=GRADS).probe
    expect(
        key not in got["unused"],
        f"{NAMES[key]}: no gradient reaches {'x' if key == '0' else 'scale'} at all",
        hint=mistakes.hint("no_ste" if key == "0" else "scale_detached"),
    )
    expect_close(
        got["grads"][key],
        want["grads"][key],
        rtol=1e-4,
        atol=1e-4,
        name=NAMES[key],
        mistakes=mistakes.on(
            lambda m: m.run("fake_quantize", *args, probe=GRADS).probe["grads"][key]
        ),
    )
    return got["grads"][key]


def bands(seed: int, z: int, qmin: int, qmax: int, k: int = 40):
    """x within one step either side of each end of the range, on a power-of-two scale (so
    x / s is exact), kept 1e-2 away from the halves where rounding decides inside/outside."""
    g = torch.Generator().manual_seed(seed)
    s = [0.25, 0.5, 1.0][int(torch.randint(0, 3, (), generator=g))]
    u = torch.rand(k, generator=g) * 2 - 1  # in (-1, 1) steps from an end
    u = torch.where((u.abs() - 0.5).abs() < 1e-2, u * 0.9, u)
    ends = torch.where(torch.arange(k) % 2 == 0, float(qmin - z), float(qmax - z))
    return (ends + u) * s, torch.tensor(s)


@points(9)
def test_forward_asymmetric_uint8(candidate, solution, mistakes, seed):
    x = data(seed, 200, spread=2.0) + 1.0
    got = same_forward(candidate, solution, mistakes, x, torch.tensor(0.02), 100, 0, 255)
    y, _, _ = expected(x, torch.tensor(0.02), 100, 0, 255)
    expect_close(got.value, y.float(), name="(clamp(round(x/s) + z) - z) * s")


@points(7)
def test_forward_per_channel_signed_int4(candidate, solution, mistakes, seed):
    x = data(seed + 1, 4, 30)
    scale = torch.tensor([[0.1], [0.25], [0.5], [1.0]])
    got = same_forward(candidate, solution, mistakes, x, scale, 0, -8, 7)
    expect_equal(tuple(got.value.shape), (4, 30), name="shape")


@points(7)
def test_clamping_and_ties(candidate, solution, mistakes):
    """Halves round to even; values far outside the range land on its ends. A fixed, designed
    case (the numbers below are the contract's, worked by hand)."""
    x = torch.tensor([0.25, 0.75, 1.25, -0.25, -0.75, 100.0, -100.0])
    got = same_forward(candidate, solution, mistakes, x, torch.tensor(0.5), 1, -8, 7)
    want = torch.tensor([0.0, 1.0, 1.0, 0.0, -1.0, 3.0, -4.5])
    expect_close(got.value, want, name="fake-quantized ties and outliers")


@points(5)
def test_halves_round_to_even(candidate, solution, mistakes, seed):
    """x / s = k + 0.5 exactly (s = 0.5): torch.round sends each to the even neighbour."""
    g = torch.Generator().manual_seed(seed + 2)
    k = torch.randint(-30, 30, (60,), generator=g).float()
    z = int(torch.randint(-3, 4, (), generator=g))
    x = (k + 0.5) * 0.5
    got = same_forward(candidate, solution, mistakes, x, torch.tensor(0.5), z, -20, 20)
    y, _, _ = expected(x, torch.tensor(0.5), z, -20, 20)
    expect_close(got.value, y.float(), name="fake-quantized exact halves")


@points(4)
def test_float64_keeps_its_dtype(candidate, solution, mistakes, seed):
    x = data(seed + 3, 50, dtype=torch.float64)
    got = same_forward(
        candidate, solution, mistakes, x, torch.tensor(0.3, dtype=torch.float64), 2, -8, 7
    )
    expect_equal(got.value.dtype, torch.float64, name="dtype")


def check_x_grad(candidate, solution, mistakes, x, scale, z, qmin, qmax):
    """The x-gradient away from the bands at the ends (more than a step inside or outside the
    range), where the straight-through mask is 1 or 0 however the edge is decided: the
    band itself is the clause of the tests below."""
    args = (x, torch.tensor(scale), z, qmin, qmax)
    got = candidate.run("fake_quantize", *args, probe=GRADS).probe
    expect("0" not in got["unused"], "no gradient reaches x at all", hint=mistakes.hint("no_ste"))
    v = x.double() / scale + z
    far = (v < qmin - 1) | (v > qmax + 1) | ((v > qmin + 1) & (v < qmax - 1))
    _, inside, _ = expected(*args)
    expect_close(
        got["grads"]["0"][far],
        inside.float()[far],
        name="d y / d x (1 inside the range, 0 outside)",
        mistakes=mistakes.on(
            lambda m: m.run("fake_quantize", *args, probe=GRADS).probe["grads"]["0"][far]
        ),
    )


@points(8)
def test_ste_gradient_for_x_signed(candidate, solution, mistakes, seed):
    check_x_grad(candidate, solution, mistakes, data(seed + 4, 300), 0.2, 0, -8, 7)


@points(8)
def test_ste_gradient_for_x_with_a_zero_point(candidate, solution, mistakes, seed):
    check_x_grad(candidate, solution, mistakes, data(seed + 5, 300), 0.05, 60, 0, 127)


@points(6)
def test_ste_mask_uses_the_rounded_value(candidate, solution, mistakes):
    """Within half a step beyond each end, round(x/s) + z is still in range: gradient 1.
    A fixed, designed case: the exact halves at each end, worked by hand."""
    s, z, qmin, qmax = 0.5, 0, -4, 3
    x = torch.tensor([-2.2, -2.1, -2.25, 1.6, 1.7, 1.74, -2.3, 1.8, 2.0, -2.5, 1.75])
    args = (x, torch.tensor(s), z, qmin, qmax)
    grad = same_grad(candidate, solution, mistakes, "0", *args)
    # -2.25 / 0.5 = -4.5 rounds to -4 (inside); 1.75 / 0.5 = 3.5 rounds to 4 (outside).
    want = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    expect_close(grad, want, name="d y / d x in the half-step bands at the ends")


@points(6)
def test_ste_mask_in_the_bands_at_the_ends(candidate, solution, mistakes, seed):
    z = 3
    x, s = bands(seed + 6, z, -4, 3)
    grad = same_grad(candidate, solution, mistakes, "0", x, s, z, -4, 3)
    _, inside, _ = expected(x, s, z, -4, 3)
    expect_close(grad, inside.float(), name="d y / d x within a step of the ends")


def check_scale_grad(candidate, solution, mistakes, x, scale, z, qmin, qmax):
    grad = same_grad(candidate, solution, mistakes, "1", x, scale, z, qmin, qmax)
    _, _, d_scale = expected(x, scale, z, qmin, qmax)
    want = d_scale.sum() if scale.dim() == 0 else d_scale.sum(-1, keepdim=True)
    expect_equal(tuple(grad.shape), tuple(scale.shape), name="shape of the scale's gradient")
    expect_close(grad, want.float(), atol=1e-3, name="LSQ d sum(y) / d scale")


@points(8)
def test_lsq_scale_gradient_per_tensor(candidate, solution, mistakes, seed):
    check_scale_grad(
        candidate, solution, mistakes, data(seed + 7, 256), torch.tensor(0.15), 0, -8, 7
    )


@points(8)
def test_lsq_scale_gradient_with_a_zero_point(candidate, solution, mistakes, seed):
    check_scale_grad(
        candidate, solution, mistakes, data(seed + 8, 256), torch.tensor(0.4), 5, -8, 7
    )


@points(8)
def test_lsq_scale_gradient_per_channel(candidate, solution, mistakes, seed):
    scale = torch.tensor([[0.05], [0.3], [1.2]])
    check_scale_grad(candidate, solution, mistakes, data(seed + 9, 3, 40), scale, 2, -8, 7)


@points(4)
def test_an_empty_range_raises(candidate, mistakes, seed):
    x = data(seed + 10, 8)
    hint = mistakes.hint("no_validation")
    for qmin, qmax in ((7, -8), (3, 3)):
        expect_raises(
            ValueError,
            lambda a=qmin, b=qmax: candidate.fake_quantize(x, torch.tensor(0.1), 0, a, b),
            name=f"qmin={qmin}, qmax={qmax}",
            hint=hint,
        )


@points(4)
def test_a_scale_not_positive_raises(candidate, mistakes, seed):
    hint = mistakes.hint("no_validation")
    expect_raises(
        ValueError,
        lambda: candidate.fake_quantize(data(seed + 11, 8), torch.tensor(0.0), 0, -8, 7),
        name="a zero scale",
        hint=hint,
    )
    bad = torch.tensor([[0.1], [-0.2]])
    expect_raises(
        ValueError,
        lambda: candidate.fake_quantize(data(seed + 12, 2, 4), bad, 0, -8, 7),
        name="a negative per-channel scale",
        hint=hint,
    )


@points(4)
def test_arguments_are_not_modified(candidate, mistakes, seed):
    x = data(seed + 13, 64)
    expect_inputs_unchanged(
        candidate, "fake_quantize", x, torch.tensor(0.2), 1, -8, 7, mistakes=mistakes
    )


@points(4)
def test_per_channel_arguments_are_not_modified(candidate, mistakes, seed):
    x, scale = data(seed + 14, 2, 9), torch.tensor([[0.1], [0.7]])
    expect_inputs_unchanged(candidate, "fake_quantize", x, scale, 0, 0, 15, mistakes=mistakes)

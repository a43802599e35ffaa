"""Public tests: the worked example of the prompt (values and both gradients)."""

import torch

from judge.testing import Probe, expect_close

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

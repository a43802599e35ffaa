"""Public tests: the uniform and a weighted average of two small models."""

import torch
from torch import nn

from judge.testing import expect_close


def state(seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return dict(nn.Linear(3, 2).state_dict())


def test_uniform_average_of_two(candidate, solution, mistakes):
    sds = [state(0), state(1)]
    want = {k: (sds[0][k] + sds[1][k]) / 2 for k in sds[0]}
    expect_close(
        candidate.average_state_dicts(sds),
        want,
        name="average",
        mistakes=mistakes.on(lambda m: m.average_state_dicts(sds)),
    )


def test_weighted_average(candidate, solution, mistakes):
    sds = [state(2), state(3)]
    expect_close(
        candidate.average_state_dicts(sds, [3.0, 1.0]),
        solution.average_state_dicts(sds, [3.0, 1.0]),
        name="average with weights [3, 1]",
        mistakes=mistakes.on(lambda m: m.average_state_dicts(sds, [3.0, 1.0])),
    )

"""Public tests: a task vector, and adding it back."""

import torch
from torch import nn

from judge.testing import expect_close


def pair(seed: int):
    torch.manual_seed(seed)
    pre = dict(nn.Linear(3, 2).state_dict())
    ft = {k: v + 0.1 * torch.randn_like(v) for k, v in pre.items()}
    return pre, ft


def test_task_vector(candidate, mistakes):
    pre, ft = pair(0)
    expect_close(
        candidate.task_vector(pre, ft),
        {k: ft[k] - pre[k] for k in pre},
        name="task vector",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, ft)),
    )


def test_adding_the_vector_gives_the_finetuned_model(candidate, mistakes):
    pre, ft = pair(1)
    tau = {k: ft[k] - pre[k] for k in pre}
    expect_close(
        candidate.apply_task_vectors(pre, [tau], 1.0),
        ft,
        name="pretrained + 1.0 * tau",
        mistakes=mistakes.on(lambda m: m.apply_task_vectors(pre, [tau], 1.0)),
    )

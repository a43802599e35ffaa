"""Input-mutation checks and the probes they use, through the real sandbox: what the child
reports about nested arguments and returned aliases reaches expect_inputs_unchanged, and the
second call on the same objects catches a mutation whose report is forged."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from judge.runner.inprocess import InProcess
from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
from judge.testing import Probe, Proxy, TestFailed, expect_inputs_unchanged

ISOLATED, _ = isolation_available()
LEVEL = "isolated" if ISOLATED else "basic"
LIMITS = Limits(time_s=10.0, cpu_s=60.0, memory_mb=2048, output_bytes=1 << 16)

SUBJECT = """
import torch


def merge(sds, eps=0.0):
    for sd in sds:
        for v in sd.values():
            v.add_(eps)
    return sds[0]


class _Shown(torch.Tensor):  # shows the harness what the tensor held before: forged

    def detach(self):
        shown = self.__dict__.get("shown")
        return super().detach() if shown is None else shown.detach()


def total(sds):
    out = {k: sum(sd[k] for sd in sds) for k in sds[0]}
    for k, v in list(sds[0].items()):
        liar = out[k].clone().as_subclass(_Shown)
        liar.shown = v.clone()
        sds[0][k] = liar  # the caller's first dict now holds the total
    return {k: v.clone().as_subclass(torch.Tensor) for k, v in out.items()}


def grads_after_backward(model):
    loss = sum(p.sum() for p in model.parameters())
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters()}
"""


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> Proxy:
    path = tmp_path_factory.mktemp("subject") / "subject.py"
    path.write_text(SUBJECT, encoding="utf-8")
    with Sandbox(path, ["merge", "total", "grads_after_backward"], LIMITS, level=LEVEL) as box:
        yield Proxy(box, params={"merge": ("sds", "eps")})


@pytest.mark.slow
def test_nested_mutation_and_alias_through_the_sandbox(candidate: Proxy) -> None:
    sds = [{"w": torch.zeros(2)}, {"w": torch.ones(2)}]
    expect_inputs_unchanged(candidate, "merge", sds, 0.0)  # nothing changed, no alias asked
    with pytest.raises(TestFailed, match="returned result\\['w'\\] sharing memory"):
        expect_inputs_unchanged(candidate, "merge", sds, 0.0, new_tensors=True)
    with pytest.raises(TestFailed, match=r"modified its input sds\[0\]\['w'\].*was 0, now 0.5"):
        expect_inputs_unchanged(candidate, "merge", sds, eps=0.5)
    assert torch.equal(sds[0]["w"], torch.zeros(2))  # the judge's own objects are intact


@pytest.mark.slow
def test_a_forged_args_after_is_caught_by_the_second_call(candidate: Proxy, tmp_path) -> None:
    """``total`` puts the total into the caller's first dict and forges what the harness
    reads back (a tensor subclass whose ``detach`` shows the old value): the child's account
    says nothing changed, the second call on the same objects gives another total."""
    path = tmp_path / "reference.py"
    path.write_text("def total(sds):\n    return {k: sum(sd[k] for sd in sds) for k in sds[0]}\n")
    reference = Proxy(InProcess(path, ["total"]))
    sds = [{"w": torch.ones(3)}, {"w": torch.full((3,), 2.0)}]
    assert torch.equal(expect_inputs_unchanged(candidate, "total", sds)["w"], torch.full((3,), 3.0))
    with pytest.raises(TestFailed, match=r"total\(\) called again.*changed its inputs"):
        expect_inputs_unchanged(candidate, "total", sds, reference=reference)


@pytest.mark.slow
def test_stale_grads_probe_stages_a_grad_in_the_child(candidate: Proxy) -> None:
    model = nn.Linear(2, 1)
    plain = candidate.grads_after_backward(model)
    staged = candidate.run("grads_after_backward", model, probe=Probe("stale_grads", 3.0))
    assert torch.equal(staged.probe["value"]["weight"], plain["weight"] + 3.0)

"""The input_safety probe: it sees an input changed in place and a result aliasing an input,
inside dicts and lists, and reports nothing for a function that does neither."""

from __future__ import annotations

import torch

from judge.runner.harness.probes import input_safety, result_grads


def clean(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {k: sum(sd[k] for sd in sds) for k in sds[0]}


def aliases(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    out = clean(sds)
    out["b"] = sds[0]["b"]  # the input tensor itself
    return out


def view_alias(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {k: v.view(-1) for k, v in sds[0].items()}  # a view shares the storage


def mutates(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    sds[1]["w"].add_(1.0)
    return clean(sds)


def inputs() -> tuple:
    return (
        [{"w": torch.ones(2, 2), "b": torch.zeros(2)}, {"w": torch.ones(2, 2), "b": torch.ones(2)}],
    )


def test_a_clean_function_reports_nothing() -> None:
    got = input_safety(clean, inputs(), {})
    assert got["changed"] == [] and got["shared"] == []
    torch.testing.assert_close(got["value"]["w"], torch.full((2, 2), 2.0))


def test_aliasing_is_reported_by_result_path() -> None:
    assert input_safety(aliases, inputs(), {})["shared"] == ["result['b']"]
    assert input_safety(view_alias, inputs(), {})["shared"] == ["result['w']", "result['b']"]


def test_mutation_is_reported_by_argument_path() -> None:
    got = input_safety(mutates, inputs(), {})
    assert got["changed"] == ["args[0][1]['w']"]
    assert got["shared"] == []


def many_aliases(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {"k" * 1000 + str(i): sds[0]["w"] for i in range(100)}


def test_the_report_is_bounded() -> None:
    got = input_safety(many_aliases, inputs(), {})
    assert len(got["shared"]) == 20
    assert all(len(path) <= 200 for path in got["shared"])


def test_result_grads_names_the_results_that_keep_autograd_history() -> None:
    w = torch.randn(3, 4, requires_grad=True)
    kept = result_grads(lambda w: (w.round().to(torch.int8), w.abs().amax(1)), (w,), {})
    assert kept["requires_grad"] == ["result[1]"]
    torch.testing.assert_close(kept["value"][1], w.detach().abs().amax(1))
    detached = result_grads(lambda w: {"s": w.detach().abs().amax(1)}, (w,), {})
    assert detached["requires_grad"] == []

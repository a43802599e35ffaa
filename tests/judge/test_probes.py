"""The returned_aliases probe, the one aliasing rule: a returned tensor aliases an input when
their bytes overlap (the same tensor, a view of it or of part of it, another tensor over the
same memory), inside dicts and lists; a new tensor does not, even one beside an input."""

from __future__ import annotations

import torch

from judge.runner.harness.probes import result_grads, returned_aliases


def inputs() -> tuple:
    base = torch.arange(8.0)
    return ([{"w": torch.ones(2, 2), "b": base[:4]}, {"w": torch.ones(2, 2), "b": base[4:]}],)


def clean(sds: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {k: sum(sd[k] for sd in sds) for k in sds[0]}


def test_a_clean_function_reports_nothing() -> None:
    assert returned_aliases(clean, inputs(), {}) == {"aliases": []}


def test_the_same_tensor_and_views_alias() -> None:
    def same(sds):
        return {**clean(sds), "b": sds[0]["b"]}

    def view(sds):
        return {k: v.view(-1) for k, v in sds[0].items()}

    assert returned_aliases(same, inputs(), {})["aliases"] == ["result['b']"]
    assert returned_aliases(view, inputs(), {})["aliases"] == ["result['w']", "result['b']"]


def test_a_view_of_part_of_an_input_aliases_it() -> None:
    def part(sds):
        return [sds[1]["w"][1, 1:], sds[0]["w"].t()[0]]  # one element; a strided column

    def numpy_part(sds):
        return torch.from_numpy(sds[0]["w"].numpy()[1:])  # another storage, the same bytes

    assert returned_aliases(part, inputs(), {})["aliases"] == ["result[0]", "result[1]"]
    assert returned_aliases(numpy_part, inputs(), {})["aliases"] == ["result"]


def test_bytes_that_no_input_covers_do_not_alias() -> None:
    """``b`` of both dicts are halves of one buffer: a new tensor or an empty view is not an
    alias, and neither is the part of a shared buffer that no input tensor covers."""
    base = torch.arange(8.0)

    def beside(sds):
        return {"new": sds[0]["w"].clone(), "empty": sds[0]["w"][:0]}

    assert returned_aliases(beside, inputs(), {})["aliases"] == []
    assert returned_aliases(lambda x: base[4:], (base[:4],), {})["aliases"] == []
    assert returned_aliases(lambda x: base[3:], (base[:4],), {})["aliases"] == ["result"]


def test_the_report_is_bounded() -> None:
    def many(sds):
        return {"k" * 1000 + str(i): sds[0]["w"] for i in range(100)}

    got = returned_aliases(many, inputs(), {})["aliases"]
    assert len(got) == 20 and all(len(path) <= 200 for path in got)


def test_result_grads_names_the_results_that_keep_autograd_history() -> None:
    w = torch.randn(3, 4, requires_grad=True)
    kept = result_grads(lambda w: (w.round().to(torch.int8), w.abs().amax(1)), (w,), {})
    assert kept["requires_grad"] == ["result[1]"]
    torch.testing.assert_close(kept["value"][1], w.detach().abs().amax(1))
    detached = result_grads(lambda w: {"s": w.detach().abs().amax(1)}, (w,), {})
    assert detached["requires_grad"] == []

"""The parent-checked layer of expect_inputs_unchanged: with ``reference=``, the entry point
is called again on the very same objects as the first call left them, and both values must
equal the reference's on the original inputs. A call that changed its inputs then fails even
when the child's account of its arguments ("args after") is forged."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import torch

from judge.runner.harness.convert import arguments_after
from judge.runner.inprocess import InProcess, Reply
from judge.testing import Mistakes, Proxy, TestFailed, expect_inputs_unchanged

PURE = "def merge(sds, scale=1.0):\n    return {k: v * scale for k, v in sds[0].items()}\n"
ADDS_INTO_FIRST = (
    '"""Adds the scale into the first dict."""\n'
    "def merge(sds, scale=1.0):\n"
    "    sds[0]['w'].add_(scale)\n"
    "    out = {k: v * scale for k, v in sds[0].items()}\n"
    "    return {**out, 'w': out['w'] - scale * scale}\n"
)
WRONG = "def merge(sds, scale=1.0):\n    return {k: v * scale + 1 for k, v in sds[0].items()}\n"
DRAWS = (
    "import torch\n\n\n"
    "def noisy(x, generator):\n"
    "    return x + torch.rand(x.shape, generator=generator)\n"
)


class ForgedReport:
    """A runner whose child lies: its "arguments after the call" are always the inputs as
    they were sent (what a submission that forges the harness's report achieves)."""

    level, network = "in-process", "allowed"

    def __init__(self, inner: InProcess) -> None:
        self.inner, self.signatures = inner, {}

    def call(self, entry: str, args: tuple, kwargs: dict, probe: Any = None, **extra: Any) -> Reply:
        honest = arguments_after(*copy.deepcopy((tuple(args), dict(kwargs))))
        reply = self.inner.call(entry, args, kwargs, probe, **extra)
        return reply._replace(args_after=honest[0], kwargs_after=honest[1])


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def proxy(path: Path, entry: str = "merge", forged: bool = False) -> Proxy:
    runner: Any = InProcess(path, [entry])
    return Proxy(ForgedReport(runner) if forged else runner, params={"merge": ("sds", "scale")})


def inputs() -> list[dict[str, torch.Tensor]]:
    return [{"w": torch.tensor([1.0, 2.0]), "n": torch.tensor(3)}, {"w": torch.tensor([5.0])}]


def test_a_forged_report_hides_a_mutation_from_the_first_check_only(tmp_path: Path) -> None:
    reference = proxy(write(tmp_path, "pure", PURE))
    folder = tmp_path / "mistakes"
    folder.mkdir()
    write(folder, "adds_into_first", ADDS_INTO_FIRST)
    write(folder, "pure_too", '"""Not a mistake."""\n' + PURE)
    mistakes = Mistakes(sorted(folder.glob("*.py")), ["merge"])
    honest = proxy(write(tmp_path, "cand", ADDS_INTO_FIRST))
    with pytest.raises(TestFailed, match=r"modified its input sds\[0\]\['w'\]"):
        expect_inputs_unchanged(honest, "merge", inputs(), 2.0)
    forged = proxy(tmp_path / "cand.py", forged=True)
    got = expect_inputs_unchanged(forged, "merge", inputs(), 2.0)  # the lie is believed...
    assert torch.equal(got["w"], torch.tensor([2.0, 4.0]))  # ...and the first value is right
    with pytest.raises(TestFailed) as info:  # ...but not by the second call
        expect_inputs_unchanged(
            forged, "merge", inputs(), 2.0, mistakes=mistakes, reference=reference
        )
    assert "merge() called again" in info.value.message
    assert "changed its inputs" in info.value.message
    assert info.value.hint == "Adds the scale into the first dict."


def test_a_correct_call_passes_twice_and_returns_its_value(tmp_path: Path) -> None:
    pure = proxy(write(tmp_path, "pure", PURE))
    got = expect_inputs_unchanged(pure, "merge", inputs(), 3.0, reference=pure, new_tensors=True)
    assert torch.equal(got["w"], torch.tensor([3.0, 6.0]))
    assert pure.run("merge", inputs(), 3.0, twice={}).second["w"].tolist() == [3.0, 6.0]


def test_a_wrong_first_value_is_reported_as_a_wrong_value(tmp_path: Path) -> None:
    reference, wrong = proxy(write(tmp_path, "p", PURE)), proxy(write(tmp_path, "w", WRONG))
    with pytest.raises(TestFailed) as info:
        expect_inputs_unchanged(wrong, "merge", inputs(), 2.0, reference=reference)
    assert "called again" not in info.value.message and "merge()" in info.value.message


def test_fresh_values_replace_what_the_contract_lets_the_call_consume(tmp_path: Path) -> None:
    """A generator is advanced by the first call, as the contract allows: the second call
    gets a fresh one in the original state, the other arguments stay the same objects."""
    path = write(tmp_path, "draws", DRAWS)
    candidate = Proxy(InProcess(path, ["noisy"]))
    x = torch.zeros(4)
    with pytest.raises(TestFailed, match="called again"):  # the advanced generator differs
        expect_inputs_unchanged(
            candidate, "noisy", x, torch.Generator().manual_seed(1), reference=candidate
        )
    got = expect_inputs_unchanged(
        candidate,
        "noisy",
        x,
        torch.Generator().manual_seed(1),
        reference=candidate,
        fresh={1: torch.Generator().manual_seed(1)},
    )
    assert torch.equal(got, torch.rand(4, generator=torch.Generator().manual_seed(1)))
    by_name = expect_inputs_unchanged(
        candidate,
        "noisy",
        x,
        generator=torch.Generator().manual_seed(2),
        reference=candidate,
        fresh={"generator": torch.Generator().manual_seed(2)},
    )
    assert torch.equal(by_name, torch.rand(4, generator=torch.Generator().manual_seed(2)))

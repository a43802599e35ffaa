"""The sandbox: each verdict from a submission written for it, round trips, probes, replies.

Child starts cost seconds (the child imports torch), so one sandbox serves every test that
does not kill its child; the tests that kill get their own. Over 400 lines on purpose: that
shared sandbox is a module fixture, and splitting the file would start one per part.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import platform
import select
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from judge.runner import channel
from judge.runner.harness import probes
from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
from judge.verdicts import JudgeError, SubmissionFailed, Verdict

ISOLATED, WHY = isolation_available()
LEVEL = "isolated" if ISOLATED else "basic"
LIMITS = Limits(time_s=10.0, cpu_s=60.0, memory_mb=2048, output_bytes=1 << 16)

SUBJECT = """
import sys

import torch


def double(x):
    return x * 2


def zero_in_place(model):
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    return model


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    for _ in range(steps):
        loss = loss_fn(torch.func.functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=not first_order)
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads)}
    return params


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    loss = loss_fn(torch.func.functional_call(model, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
    return {n: p - lrs[n] * g for (n, p), g in zip(params.items(), grads)}


def scaled(a, b):
    return (a * 3 + b.detach()).sum()


def raise_value_error(x):
    raise ValueError("negative input")


def call_sys_exit(x):
    sys.exit(3)


def returns_function(x):
    return print


def import_judge(x):
    import judge  # noqa: F401


def allocate(x):
    return torch.empty(8 << 30, dtype=torch.uint8)
"""


def write(tmp: Path, name: str, source: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    path = write(tmp_path_factory.mktemp("subject"), "subject.py", SUBJECT)
    entries = ["double", "zero_in_place", "adapt", "raise_value_error", "call_sys_exit",
               "returns_function", "import_judge", "allocate"]  # fmt: skip
    with Sandbox(path, entries, LIMITS, level=LEVEL) as box:
        yield box


def tiny_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))


def test_reports_level_and_network(sandbox: Sandbox) -> None:
    assert sandbox.level == LEVEL
    assert sandbox.network == ("blocked" if LEVEL == "isolated" or sandbox.seccomp else "allowed")
    if sys.platform.startswith("linux") and platform.machine() == "x86_64":
        assert sandbox.seccomp, "the seccomp filter should install here"
    assert sandbox.signatures["double"] == "(x)"


def test_round_trip(sandbox: Sandbox) -> None:
    x = torch.randn(3, 2)
    reply = sandbox.call("double", (x,), {})
    assert type(reply.value) is torch.Tensor
    assert torch.equal(reply.value, x * 2)
    assert torch.equal(reply.args_after[0], x)
    assert reply.probe is None


def test_model_mutated_in_place_comes_back(sandbox: Sandbox) -> None:
    model = tiny_model()
    reply = sandbox.call("zero_in_place", (), {"model": model})
    assert set(reply.value) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert all(torch.count_nonzero(t) == 0 for t in reply.kwargs_after["model"].values())
    assert torch.count_nonzero(model[0].weight) > 0, "the judge's own model must not change"


@pytest.mark.parametrize("first_order", [False, True])
def test_query_grad_probe_matches_in_process(sandbox: Sandbox, first_order: bool) -> None:
    model, x, y = tiny_model(), torch.randn(5, 2), torch.randn(5, 1)
    xq, yq = torch.randn(7, 2), torch.randn(7, 1)
    args, kwargs = (model, x, y, nn.MSELoss(), 0.1), {"steps": 2, "first_order": first_order}
    reply = sandbox.call("adapt", args, kwargs, probe=("query_grad", (xq, yq, nn.MSELoss())))
    namespace: dict = {}
    exec(SUBJECT, namespace)
    here = probes.query_grad(namespace["adapt"], args, kwargs, xq, yq, nn.MSELoss())
    assert set(reply.probe["grads"]) == {n for n, _ in model.named_parameters()}
    for name, grad in here["grads"].items():
        torch.testing.assert_close(reply.probe["grads"][name], grad)
    torch.testing.assert_close(reply.probe["loss"], here["loss"])
    assert set(reply.value) == set(reply.probe["value"])


def test_second_order_differs_from_first_order() -> None:
    namespace: dict = {}
    exec(SUBJECT, namespace)
    model, x, y = tiny_model(), torch.randn(5, 2), torch.randn(5, 1)
    xq, yq = torch.randn(7, 2), torch.randn(7, 1)
    second, first = (
        probes.query_grad(namespace["adapt"], (model, x, y, nn.MSELoss(), 0.5),
                          {"steps": 2, "first_order": fo}, xq, yq, nn.MSELoss())
        for fo in (False, True)
    )  # fmt: skip
    assert not torch.allclose(second["grads"]["0.weight"], first["grads"]["0.weight"])


def test_meta_sgd_and_arg_grads_probes() -> None:
    namespace: dict = {}
    exec(SUBJECT, namespace)
    model, x, y = tiny_model(), torch.randn(5, 2), torch.randn(5, 1)
    lrs = {n: torch.full_like(p, 0.1) for n, p in model.named_parameters()}
    got = probes.meta_sgd_grads(
        namespace["meta_sgd_adapt"], (model, lrs, x, y, nn.MSELoss()), {}, x, y, nn.MSELoss()
    )
    assert set(got["lr_grads"]) == set(lrs)
    assert any(torch.count_nonzero(g) > 0 for g in got["lr_grads"].values())
    a, b = torch.randn(3), torch.randn(3)
    got = probes.arg_grads(namespace["scaled"], (a, b), {}, 0, 1)
    torch.testing.assert_close(got["grads"]["0"], torch.full((3,), 3.0))
    assert got["unused"] == ["1"]


@pytest.mark.parametrize(
    ("entry", "verdict", "exc_type"),
    [
        ("raise_value_error", Verdict.RUNTIME_ERROR, "ValueError"),
        ("call_sys_exit", Verdict.RUNTIME_ERROR, "SystemExit"),
        ("returns_function", Verdict.RUNTIME_ERROR, None),
        ("import_judge", Verdict.FORBIDDEN, "ForbiddenImport"),
        ("allocate", Verdict.MEMORY_LIMIT, "RuntimeError"),
    ],
)
def test_failures_that_keep_the_child(
    sandbox: Sandbox, entry: str, verdict: Verdict, exc_type: str | None
) -> None:
    marker = sandbox.marker
    with pytest.raises(SubmissionFailed) as info:
        sandbox.call(entry, (torch.ones(2),), {})
    assert info.value.verdict == verdict, info.value.message
    assert info.value.exc_type == exc_type
    assert torch.equal(sandbox.call("double", (torch.ones(2),), {}).value, torch.full((2,), 2.0))
    assert sandbox.marker == marker, "the child should have survived"


def test_not_data_names_the_type(sandbox: Sandbox) -> None:
    with pytest.raises(SubmissionFailed, match="builtin_function_or_method"):
        sandbox.call("returns_function", (1,), {})


def test_unpicklable_arguments_are_the_judges_error(sandbox: Sandbox) -> None:
    with pytest.raises(JudgeError, match="cannot be sent"):
        sandbox.call("double", (lambda: 1,), {})


class Local:
    """A class of this test file: the child cannot import it to unpickle an argument."""


def test_arguments_the_child_cannot_load_are_the_judges_error(sandbox: Sandbox) -> None:
    # checked by the judge before sending, so a "bad_request" from the child is never believed
    with pytest.raises(JudgeError, match="which the child lacks"):
        sandbox.call("double", (Local(),), {})


def test_unknown_entry_point_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SubmissionFailed) as info:
        sandbox.call("scaled", (torch.ones(1), torch.ones(1)), {})
    assert info.value.verdict == Verdict.COMPILE_ERROR


def test_time_limit_kills_and_the_next_call_restarts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "slow.py",
        """
        import time

        def solve(x, wait):
            time.sleep(wait)
            return x * 2
    """,
    )
    with Sandbox(path, ["solve"], LIMITS.with_overrides(time_s=1.0), level=LEVEL) as box:
        first = box.marker
        with pytest.raises(SubmissionFailed) as info:
            box.call("solve", (torch.ones(1), 30), {})
        assert info.value.verdict == Verdict.TIME_LIMIT
        assert torch.equal(box.call("solve", (torch.ones(1), 0), {}).value, torch.full((1,), 2.0))
        assert box.marker != first, "a fresh child after the kill"


def test_output_limit(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "chatty.py",
        """
        def solve(x):
            for _ in range(10_000):
                print("la" * 100)
            return x
    """,
    )
    with (
        Sandbox(path, ["solve"], LIMITS, level=LEVEL) as box,
        pytest.raises(SubmissionFailed) as info,
    ):
        box.call("solve", (1,), {})
    assert info.value.verdict == Verdict.OUTPUT_LIMIT


def test_os_exit_in_call(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "quitter.py",
        """
        import os

        def solve(x):
            os._exit(0)
    """,
    )
    box = Sandbox(path, ["solve"], LIMITS, level=LEVEL)
    box.launch()  # returns at once; start() (from `with`) waits for the child
    with box, pytest.raises(SubmissionFailed) as info:
        box.call("solve", (1,), {})
    assert info.value.verdict == Verdict.RUNTIME_ERROR
    assert "status 0" in info.value.message


@pytest.mark.parametrize(
    ("source", "verdict", "words"),
    [
        ("def solve(x):\n    return x +\n", Verdict.COMPILE_ERROR, "broken.py:2:"),
        ("def other(x):\n    return x\n", Verdict.COMPILE_ERROR, "'solve'"),
        ("import reference\ndef solve(x):\n    return x\n", Verdict.FORBIDDEN, "reference"),
        ("raise KeyError('boom')\n", Verdict.RUNTIME_ERROR, "KeyError"),
    ],
    ids=["syntax", "missing-entry", "forbidden-import", "raises-at-import"],
)
def test_start_failures(tmp_path: Path, source: str, verdict: Verdict, words: str) -> None:
    path = tmp_path / "broken.py"
    path.write_text(source)
    box = Sandbox(path, ["solve"], LIMITS, level=LEVEL)
    with pytest.raises(SubmissionFailed) as info:
        box.start()
    box.close()
    assert info.value.verdict == verdict
    assert words in info.value.message


@pytest.mark.skipif(not ISOLATED, reason=f"isolated level unavailable: {WHY}")
def test_missing_boot_status_is_a_judge_error(tmp_path: Path) -> None:
    path = write(tmp_path, "fine.py", "def solve(x):\n    return x\n")
    with Sandbox(path, ["solve"], LIMITS, level="isolated", warm=False) as box:
        os.kill(box._child.proc.pid, 9)  # unshare dies; --kill-child takes PID 1 with it
        box._child.proc.wait(timeout=30)
        select.select([box._child.pidfd], [], [], 30)  # PID 1 is gone too
        with pytest.raises(JudgeError):
            box.call("solve", (1,), {})


@pytest.mark.skipif(ISOLATED, reason="the isolated level is available here")
def test_isolated_refused_where_unavailable(tmp_path: Path) -> None:
    with pytest.raises(JudgeError):
        Sandbox(write(tmp_path, "a.py", "x = 1\n"), ["solve"], LIMITS, level="isolated")


# -- the channel's reply checks, without a child ----------------------------------------


def archive(message: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(message, buffer)
    return buffer.getvalue()


class Payload:
    def __reduce__(self) -> tuple:
        return (os.getpid, ())


def test_decode_accepts_data() -> None:
    message = {"kind": "reply", "value": [torch.ones(2), {"a": 1.5}], "nonce": 7}
    got = channel.decode(archive(message), 1 << 20)
    assert torch.equal(got["value"][0], torch.ones(2)) and got["value"][1] == {"a": 1.5}


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps(Payload()),
        archive({"kind": "reply", "value": Payload()}),
        archive(["not", "a", "dict"]),
        archive({"no kind": 1}),
        b"PK\x03\x04 truncated",
    ],
    ids=["raw-pickle", "pickle-in-archive", "not-a-dict", "no-kind", "truncated"],
)
def test_decode_rejects(data: bytes) -> None:
    with pytest.raises(channel.BadReply):
        channel.decode(data, 1 << 20)


def test_decode_rejects_compressed_archives() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\0" * 10_000)
    with pytest.raises(channel.BadReply, match="compressed"):
        channel.decode(buffer.getvalue(), 1 << 20)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=512), st.integers(0, 2000))
def test_decode_only_ever_raises_bad_reply(noise: bytes, cut: int) -> None:
    valid = archive({"kind": "reply", "value": torch.arange(3)})
    for data in (noise, valid[:cut] + noise, b"PK\x03\x04" + noise):
        with contextlib.suppress(channel.BadReply):
            channel.decode(data, 1 << 20)


def test_read_message_caps_and_frames() -> None:
    r, w = os.pipe()
    os.set_blocking(r, False)
    try:
        os.write(w, struct.pack("<Q", 5) + b"hello" + struct.pack("<Q", 1 << 40))
        deadline = time.monotonic() + 5
        assert channel.read_message(r, 100, deadline) == b"hello"
        with pytest.raises(channel.BadReply, match="over the limit"):
            channel.read_message(r, 100, deadline)
        os.close(w)
        w = -1
        with pytest.raises(channel.Closed):
            channel.read_message(r, 100, deadline)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


@pytest.mark.slow
def test_benchmark_quick_smoke(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "sandbox_start.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "sandbox_start.json").exists()
    assert "torch import in child" in (tmp_path / "sandbox_start.md").read_text()


def test_memory_limit_below_torch_is_a_judge_error(tmp_path: Path) -> None:
    path = write(tmp_path, "fine.py", "def solve(x):\n    return x\n")
    box = Sandbox(path, ["solve"], LIMITS.with_overrides(memory_mb=128), level=LEVEL)
    with pytest.raises(JudgeError, match="did not start"):
        box.start()
    box.close()

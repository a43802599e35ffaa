"""The security suite: every hostile submission in this folder gets its expected verdict.

Each ``*.py`` here (other than this file) is one attack with ``EXPECT`` (the verdict it must
get), optionally ``LEVELS`` (where it may run: a fork bomb as root outside the isolated
level would not be contained) and ``LIMITS`` (overrides of :class:`Limits`). They are read
with ``ast`` (never imported here) and driven through ``Sandbox.call`` with the contract
``solve(x) -> x * 2``: ``accepted`` means the call returned exactly ``x * 2`` and
``wrong_answer`` that it returned something else, so no attack may ever be ``accepted``.

After each: the judge survives, no process of the sandbox is left, and the repo's and the
host /tmp's sentinel files are unchanged.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import time
from pathlib import Path

import pytest
import torch

from judge.runner.limits import Limits
from judge.runner.sandbox import REPO_ROOT, Sandbox, isolation_available
from judge.verdicts import SubmissionFailed

HERE = Path(__file__).parent
ATTACKS = sorted(p for p in HERE.glob("*.py") if not p.name.startswith(("test_", "_", "conftest")))
# Run at the basic level too, even where the isolated level is available: what the guard,
# the channel and the limits must catch without namespaces.
BASIC_TOO = {
    "import_reference",
    "reference_by_path",
    "guard_bypass_meta_path",
    "read_repo_relative",
    "print_100mb",
    "alloc_8gb_torch",
    "reply_zip_pickle",
    "subprocess_cat_repo",
    "listdir_repo",
    "read_hidden_tests",
    "write_repo",
}
SENTINEL_TMP = Path(f"/tmp/metajudge-sentinel-{os.getpid()}")
REPO_SENTINELS = [
    REPO_ROOT / p for p in ("pyproject.toml", "judge/runner/limits.py", "judge/verdicts.py")
]
LIMITS = Limits(time_s=10.0, cpu_s=60.0, memory_mb=2048, output_bytes=1 << 20)


def read_spec(path: Path) -> dict:
    """EXPECT, LEVELS and LIMITS of an attack file, read without running it."""
    spec = {"EXPECT": None, "LEVELS": ("isolated", "basic"), "LIMITS": {}}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = getattr(node.targets[0], "id", None)
            if name in spec:
                spec[name] = ast.literal_eval(node.value)
    assert spec["EXPECT"], f"{path.name} has no EXPECT"
    return spec


def cases() -> list:
    isolated, why = isolation_available()
    out = []
    for path in ATTACKS:
        levels = read_spec(path)["LEVELS"]
        primary = "isolated" if isolated else "basic"
        if primary in levels:
            out.append(pytest.param(path, primary, id=f"{path.stem}-{primary}"))
        elif not isolated:
            reason = f"needs the isolated level ({why})"
            out.append(pytest.param(path, "isolated", id=path.stem, marks=pytest.mark.skip(reason)))
        if isolated and path.stem in BASIC_TOO and "basic" in levels:
            out.append(pytest.param(path, "basic", id=f"{path.stem}-basic"))
    return out


def digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}


def traces() -> list[str]:
    """Files an attack would leave behind in the host /tmp, /etc or the repo."""
    found = [str(p) for p in Path("/tmp").glob("metajudge-attack-*")]
    found += [str(p) for p in REPO_ROOT.glob("metajudge-attack-*")]
    return found + [p for p in ("/etc/metajudge-attack",) if os.path.exists(p)]


def leftovers(sandbox: Sandbox) -> list[int]:
    """Processes still running as the sandbox's uid or carrying its environment marker."""
    marker = f"METAJUDGE_SANDBOX={sandbox.marker}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if sandbox.uid is not None and os.stat(entry.path).st_uid == sandbox.uid:
                found.append(int(entry.name))
                continue
            with open(os.path.join(entry.path, "environ"), "rb") as f:
                if marker in f.read().split(b"\0"):
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module", autouse=True)
def sentinel() -> None:
    SENTINEL_TMP.write_text("the host /tmp must not change\n")
    yield
    SENTINEL_TMP.unlink(missing_ok=True)


@pytest.mark.parametrize(("attack", "level"), cases())
def test_attack(attack: Path, level: str) -> None:
    spec = read_spec(attack)
    limits = LIMITS.with_overrides(**spec["LIMITS"])
    watched = [*REPO_SENTINELS, SENTINEL_TMP]
    before, traces_before = digest(watched), traces()
    x = torch.arange(4.0)
    sandbox = Sandbox(attack, ["solve"], limits, level=level)
    try:
        sandbox.start()
        value = sandbox.call("solve", (x,), {}).value
        same = isinstance(value, torch.Tensor) and type(value) is torch.Tensor
        outcome = "accepted" if same and torch.equal(value, x * 2) else "wrong_answer"
    except SubmissionFailed as failure:
        outcome, value = str(failure.verdict), failure.message
    finally:
        sandbox.close()
    assert outcome == spec["EXPECT"], f"{attack.name} at {level}: {outcome} ({value!r:.300})"
    assert outcome != "accepted"
    if isinstance(value, str):  # a verdict's message: printable anywhere, bounded
        assert len(value) <= 4000
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", value), repr(value)
    deadline = time.monotonic() + 5
    while leftovers(sandbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers(sandbox) == [], "processes of the sandbox outlived it"
    assert digest(watched) == before, "the repo or the host /tmp changed"
    assert traces() == traces_before, "the attack left files behind"


def test_suite_is_large_enough() -> None:
    assert len(ATTACKS) >= 25
    for path in ATTACKS:
        assert read_spec(path)["EXPECT"] != "accepted", path.name


def test_repo_attacks_find_the_checkout_unnoticed(tmp_path: Path) -> None:
    """The repo attacks' way to the checkout, alone, is accepted at the basic level and finds
    this checkout: their ``forbidden`` comes from touching it, not from looking for it."""
    repo_attacks = [p for p in ATTACKS if "\ndef checkout()" in p.read_text()]
    assert {p.stem for p in repo_attacks} >= {
        "listdir_repo", "read_hidden_tests", "read_repo_relative", "reference_by_path",
        "subprocess_cat_repo", "write_repo",
    }  # fmt: skip
    locators = {
        ast.unparse(node)
        for p in repo_attacks
        for node in ast.parse(p.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name == "checkout"
    }
    assert len(locators) == 1, "the repo attacks should share one locator"
    path = tmp_path / "locate.py"
    path.write_text(
        repo_attacks[0].read_text().partition("\n\ndef solve(")[0]
        + f"\n\ndef solve(x):\n    assert os.path.samefile(checkout(), {str(REPO_ROOT)!r})\n"
        + "    return x * 2\n"
    )
    x = torch.arange(4.0)
    with Sandbox(path, ["solve"], LIMITS, level="basic") as sandbox:
        assert torch.equal(sandbox.call("solve", (x,), {}).value, x * 2)

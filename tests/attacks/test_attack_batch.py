"""The whole security suite as ONE ``judge grade-batch``, the way an interviewer would run it.

Every hostile submission of this folder (``EXPECT``, ``LEVELS``, ``LIMITS`` as described in
test_attacks.py) plus a few honest ones (correct and wrong) go into one folder, graded with
``--problem solve-double`` (the attacks' contract ``solve(x) -> x * 2``, a fixture problem)
by a pool of two workers. Afterwards: the batch completed with every row graded (no judge
error), no attack is accepted and each has its expected verdict, the honest submissions get
theirs, the CSV/JSON/HTML reports are there, no process of any sandbox is left orphaned, and
nothing changed in the repo or the host /tmp.

One batch has one set of limits, so the attacks' ``LIMITS`` must agree with
:data:`BATCH_LIMITS` (test_attacks.py's 10 s per call and a 1 MiB reply cap; an attack's
shorter time limit only makes the batch wait longer for the same verdict); the test says
which attack disagrees if one ever does.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from judge.runner.sandbox import REPO_ROOT, isolation_available

HERE = Path(__file__).parent
ATTACKS = sorted(p for p in HERE.glob("*.py") if not p.name.startswith(("test_", "_", "conftest")))
PACK = REPO_ROOT / "tests" / "judge" / "fixtures" / "attacks"
BATCH_LIMITS = {"time_s": 10.0, "reply_bytes": 1 << 20}  # as test_attacks.LIMITS
# Limits whose values may differ from the batch's without changing the verdict: a shorter
# time limit, a CPU-time limit (the wall clock ends the loop instead), a file-size limit
# (the default one fails the same write).
COMPATIBLE = {"time_s", "cpu_s", "file_size_bytes"}
HONEST = {
    "honest_correct": ("def solve(x):\n    return x * 2\n", "accepted"),
    "honest_correct_too": ("def solve(x):\n    return x + x\n", "accepted"),
    "honest_triple": ("def solve(x):\n    return x * 3\n", "wrong_answer"),
    "honest_raises": ("def solve(x):\n    raise ValueError('no')\n", "runtime_error"),
    "honest_no_entry": ("def solve_it(x):\n    return x * 2\n", "compile_error"),
}
SANDBOX_UIDS = range(1_000_000, 2_000_000)


def read_spec(path: Path) -> dict:
    """EXPECT, LEVELS and LIMITS of an attack file, read with ast (never imported)."""
    spec = {"EXPECT": None, "LEVELS": ("isolated", "basic"), "LIMITS": {}}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = getattr(node.targets[0], "id", None)
            if name in spec:
                spec[name] = ast.literal_eval(node.value)
    return spec


def tree_digest(root: Path) -> str:
    """Every file git knows of (tracked or not ignored), by path and content."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    digest = hashlib.sha256()
    for name in sorted(n for n in listed if n):
        path = root / os.fsdecode(name)
        digest.update(name + b"\0")
        if path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def watched_digest(sentinel: Path) -> dict[str, str]:
    """The repo (all of it in CI; a few sentinel files where people edit it meanwhile), the
    host /tmp sentinel, and any trace an attack would leave in /tmp, /etc or the repo."""
    files = [REPO_ROOT / "pyproject.toml", REPO_ROOT / "judge" / "runner" / "limits.py", sentinel]
    files += sorted(PACK.rglob("*.py"))
    out = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    if os.environ.get("CI"):
        out["repo"] = tree_digest(REPO_ROOT)
    traces = [*Path("/tmp").glob("metajudge-attack*"), *REPO_ROOT.glob("metajudge-attack*")]
    traces += [p for p in (Path("/etc/metajudge-attack"),) if p.exists()]
    out["traces"] = ",".join(sorted(map(str, traces)))
    return out


def orphans() -> list[str]:
    """Processes of a sandbox (its uids, or its environment marker) whose parent is gone:
    the only way one outlives the judge. Live sandboxes of other tests have parents."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            if ppid != 1:
                continue
            uid = os.stat(entry.path).st_uid
            with open(os.path.join(entry.path, "environ"), "rb") as f:
                marked = any(v.startswith(b"METAJUDGE_SANDBOX=") for v in f.read().split(b"\0"))
        except (OSError, ValueError, IndexError):
            continue
        if uid in SANDBOX_UIDS or marked:
            found.append(entry.name)
    return found


@pytest.mark.slow
def test_whole_attack_suite_as_one_batch(tmp_path: Path) -> None:
    isolated, _ = isolation_available()
    level = "isolated" if isolated else "basic"
    subs = tmp_path / "subs"
    subs.mkdir()
    expected = {}
    for path in ATTACKS:
        spec = read_spec(path)
        if level not in spec["LEVELS"]:
            continue
        clash = {
            k: v
            for k, v in spec["LIMITS"].items()
            if k not in COMPATIBLE and BATCH_LIMITS.get(k, v) != v
        }
        assert not clash, f"{path.name}: LIMITS {clash} differ from the batch's {BATCH_LIMITS}"
        shutil.copy(path, subs / path.name)
        expected[path.stem] = spec["EXPECT"]
    for name, (source, verdict) in HONEST.items():
        (subs / f"{name}.py").write_text(source)
        expected[name] = verdict
    assert len(expected) >= 25 + len(HONEST) or not isolated

    sentinel = Path(f"/tmp/metajudge-sentinel-batch-{os.getpid()}")
    sentinel.write_text("the host /tmp must not change\n")
    try:
        before = watched_digest(sentinel)
        out = tmp_path / "report"
        command = [sys.executable, "-m", "judge", "--problems", str(PACK), "grade-batch"]
        command += [str(subs), "--problem", "solve-double", "--jobs", "2", "--level", level]
        command += ["--cache", str(tmp_path / "cache"), "--similarity-threshold", "1"]
        command += [f"--limit=reply_bytes={BATCH_LIMITS['reply_bytes']}"]
        command += ["--time-limit", str(BATCH_LIMITS["time_s"])]
        command += ["--out", f"{out}.json", "--out", f"{out}.csv", "--out", f"{out}.html"]
        if level == "basic":
            command.append("--allow-basic-sandbox")
        env = {**os.environ, "JUDGE_NO_HISTORY": "1"}
        run = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=1500, env=env
        )
        assert run.returncode == 0, run.stderr[-3000:]
        deadline = time.monotonic() + 10
        while orphans() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert orphans() == [], "sandbox processes outlived the batch"
        assert watched_digest(sentinel) == before, "the repo or the host /tmp changed"
    finally:
        sentinel.unlink(missing_ok=True)

    rows = {r["candidate"]: r for r in json.loads(Path(f"{out}.json").read_text())["rows"]}
    assert set(rows) == set(expected)
    assert [c for c, r in rows.items() if r["grading_status"] != "graded"] == []
    attacks = {c: r for c, r in rows.items() if not c.startswith("honest_")}
    assert [c for c, r in attacks.items() if r["verdict"] == "accepted"] == []
    wrong = {c: (r["verdict"], expected[c]) for c, r in rows.items() if r["verdict"] != expected[c]}
    assert wrong == {}, "got (verdict, expected)"
    with open(f"{out}.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(expected)
    page = Path(f"{out}.html").read_text()
    assert all(c in page for c in expected)

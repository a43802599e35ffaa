"""grade-batch stops at once on SIGTERM keeping every finished result, and nothing of it
outlives a SIGKILL: its pool's workers and their sandboxes die with it.

A batch of one honest submission and one that sleeps through a 300 s time limit: once the
honest result is in the cache, the batch is signalled while the sleeper is in flight (the
old behaviour waited for it: 300 s). Processes of the batch are found by the TMPDIR it and
its workers run with (the sandboxes' boxes live there too), so other tests' do not count.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from judge.runner.sandbox import REPO_ROOT, isolation_available

PACK = REPO_ROOT / "tests" / "judge" / "fixtures" / "attacks"
HANG_GUARD_S = 60  # the old behaviour takes 300 s; the new one about a second


def ours(tmpdir: Path) -> list[int]:
    """Live processes whose environment or command line names ``tmpdir``."""
    needle, found = str(tmpdir).encode(), []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue
            with open(os.path.join(entry.path, "cmdline"), "rb") as f:
                hit = needle in f.read()
            if not hit:
                with open(os.path.join(entry.path, "environ"), "rb") as f:
                    hit = b"TMPDIR=" + needle in f.read().split(b"\0")
        except (OSError, IndexError):
            continue
        if hit:
            found.append(int(entry.name))
    return found


def start(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    subs, cache = tmp_path / "subs", tmp_path / "cache"
    subs.mkdir()
    # A short TMPDIR: multiprocessing's forkserver puts its socket there (AF_UNIX paths are
    # limited to 107 bytes, which pytest-xdist's temporary folders can exceed).
    tmpdir = Path(tempfile.mkdtemp(prefix="mj-stop-", dir="/tmp"))
    atexit.register(shutil.rmtree, tmpdir, True)
    (subs / "a_honest.py").write_text("def solve(x):\n    return x * 2\n")
    (subs / "b_sleeper.py").write_text("import time\n\n\ndef solve(x):\n    time.sleep(1000)\n")
    level = "isolated" if isolation_available()[0] else "basic"
    command = [sys.executable, "-m", "judge", "--problems", str(PACK), "grade-batch", str(subs)]
    command += ["--problem", "solve-double", "--jobs", "2", "--time-limit", "300"]
    command += ["--cache", str(cache), "--out", str(tmp_path / "report.json"), "--level", level]
    if level == "basic":
        command.append("--allow-basic-sandbox")
    env = {**os.environ, "JUDGE_NO_HISTORY": "1", "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 600
    while not list(cache.rglob("*.json")):
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the honest submission was never graded"
        time.sleep(0.5)
    time.sleep(2)  # the sleeper is in flight
    return proc, tmpdir, cache


def gone(tmpdir: Path, within_s: float = 30) -> list[int]:
    deadline = time.monotonic() + within_s
    while ours(tmpdir) and time.monotonic() < deadline:
        time.sleep(0.5)
    return ours(tmpdir)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_stops_the_batch_at_once_keeping_finished_results(tmp_path: Path, sig: int) -> None:
    proc, tmpdir, cache = start(tmp_path)
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("grade-batch did not stop on the signal")
    assert proc.returncode == 130, err[-2000:]
    assert b"interrupted" in err
    assert len(list(cache.rglob("*.json"))) == 1, "the finished result was not kept"
    assert gone(tmpdir) == [], "processes of the batch outlived it"


def test_sigkill_takes_the_workers_and_their_sandboxes_with_it(tmp_path: Path) -> None:
    proc, tmpdir, _ = start(tmp_path)
    proc.kill()
    proc.wait()
    assert gone(tmpdir) == [], "workers or sandboxes outlived a killed batch"

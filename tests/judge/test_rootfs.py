"""The isolated level's allowlist root: what the plan holds, what a child can see, who it runs
as, that no process or box outlives a killed judge, and the same as an unprivileged user.

Over 400 lines on purpose: the unprivileged user's venv (built once per module, minutes) and
the listing sandbox are module fixtures that the root and the unprivileged checks share."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from judge.runner import rootfs
from judge.runner.limits import Limits
from judge.runner.sandbox import (
    BOX_PREFIX,
    REPO_ROOT,
    Sandbox,
    isolation_available,
    reap_stale_boxes,
)

ISOLATED, WHY = isolation_available()
needs_isolated = pytest.mark.skipif(not ISOLATED, reason=f"isolated level unavailable: {WHY}")
LIMITS = Limits(time_s=20.0, cpu_s=60.0)
HOST_FOLDERS = ("/opt", "/home", "/root", "/srv")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

LISTER = """
import os


def ls(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError as exc:
        return type(exc).__name__


def status(x):
    with open("/proc/self/status") as f:
        return dict(line.split(":\\t", 1) for line in f.read().splitlines() if ":\\t" in line)
"""


def _under(path: str, root: Path) -> bool:
    return path == str(root) or path.startswith(f"{root}/")


# -- the plan, computed without a child --------------------------------------------------------


def test_plan_holds_torch_numpy_and_no_project_source() -> None:
    plan = rootfs.compute_plan()
    targets = [t for t, _ in plan.binds]
    sources = [s for _, s in plan.binds]
    names = {os.path.basename(t) for t in targets}
    assert {"torch", "numpy"} <= names
    assert not any(_under(s, REPO_ROOT / "judge") or s == str(REPO_ROOT) for s in sources)
    assert not any(_under(s, REPO_ROOT / "problems") for s in sources)
    for name in ("pytest", "hypothesis", "click", "ruff", "playwright"):
        assert name not in names, f"{name} is not something torch or numpy needs"
    assert not any(t.startswith(str(REPO_ROOT)) for t in [*targets, *plan.symlinks])
    assert plan.python and all(os.path.isabs(t) for t in targets)


def test_plan_never_places_anything_at_a_venv_or_private_interpreter_host_path() -> None:
    plan = rootfs.compute_plan()
    if sys.prefix != sys.base_prefix:
        assert plan.python.startswith(rootfs.VENV)
        assert not any(_under(t, Path(sys.prefix).resolve()) for t, _ in plan.binds)
    base = os.path.realpath(sys.base_prefix)
    if base not in rootfs.SYSTEM_PREFIXES:
        assert not any(_under(t, Path(base)) for t, _ in plan.binds)


def test_closure_follows_requirements_and_skips_extras() -> None:
    names = {d.metadata["Name"].lower() for d in rootfs.distribution_closure(("torch",))}
    assert {"torch", "sympy", "typing_extensions"} <= {n.replace("-", "_") for n in names}
    assert "pytest" not in names and "metajudge" not in names


def test_elf_dependencies_of_the_interpreter_reach_libc() -> None:
    libraries = rootfs.shared_libraries([os.path.realpath(sys.executable)])
    assert any(os.path.basename(p).startswith("libc.so") for p in libraries)
    _, _, interp = rootfs.elf_dependencies(os.path.realpath(sys.executable))
    assert interp and interp in libraries


def test_elf_dependencies_of_a_non_elf_file_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "not.so"
    path.write_bytes(b"\x7fELF" + b"\0" * 10)
    assert rootfs.elf_dependencies(str(path)) == ([], [], None)


def test_plan_round_trips_through_json() -> None:
    plan = rootfs.compute_plan()
    assert rootfs.RootPlan.from_json(json.loads(json.dumps(plan.to_json()))) == plan


def test_stale_boxes_of_dead_judges_are_reaped(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{BOX_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{BOX_PREFIX}{os.getpid()}-abc"
    other = tmp_path / "metajudge-box-unrelated"
    for folder in (stale, live, other):
        (folder / "harness").mkdir(parents=True)
    assert reap_stale_boxes(str(tmp_path)) == 1
    assert not stale.exists() and live.exists() and other.exists()


# -- what a child sees --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lister(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    path = tmp_path_factory.mktemp("lister") / "lister.py"
    path.write_text(textwrap.dedent(LISTER))
    with Sandbox(path, ["ls", "read", "status"], LIMITS, level="isolated") as box:
        yield box


@needs_isolated
def test_host_folders_are_absent_or_empty(lister: Sandbox) -> None:
    # The checkout's parent (the checkout and a venv inside it are under it; the import
    # guard would refuse the checkout itself before the file system could answer).
    for folder in (*HOST_FOLDERS, str(REPO_ROOT.parent)):
        seen = lister.call("ls", (folder,), {}).value
        assert seen in ("FileNotFoundError", []), f"{folder}: {seen}"


@needs_isolated
def test_another_candidates_files_and_the_cache_are_unreachable(
    lister: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "alice.py").write_text("SECRET = 42\n")
    (tmp_path / ".judge-cache").mkdir()
    (tmp_path / ".judge-cache" / "entry.json").write_text("{}")
    for path in (tmp_path / "alice.py", tmp_path / ".judge-cache" / "entry.json"):
        assert lister.call("read", (str(path),), {}).value == "FileNotFoundError"
    assert lister.call("ls", (str(tmp_path),), {}).value == "FileNotFoundError"


@needs_isolated
def test_root_holds_only_the_allowlist(lister: Sandbox) -> None:
    top = set(lister.call("ls", ("/",), {}).value)
    assert top <= {"box", "dev", "etc", "proc", "tmp", "usr", "lib", "lib64", "venv", "python"}
    assert set(lister.call("ls", ("/dev",), {}).value) <= {
        "null", "zero", "urandom", "shm", "fd", "stdin", "stdout", "stderr"
    }  # fmt: skip
    assert lister.call("ls", ("/tmp",), {}).value == []
    assert lister.call("read", ("/proc/cmdline",), {}).value == ""
    assert lister.call("read", ("/etc/hostname",), {}).value.strip() == "sandbox"


@needs_isolated
def test_child_has_no_capability_and_no_new_privileges(lister: Sandbox) -> None:
    status = lister.call("status", (0,), {}).value
    for field in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"):
        assert int(status[field], 16) == 0, f"{field}: {status[field]}"
    assert status["NoNewPrivs"].strip() == "1"
    assert status["Seccomp"].strip() == "2"
    uids = set(status["Uid"].split()) | set(status["Gid"].split())
    assert len(uids) == 1, status
    if lister.isolation == "root":
        assert uids == {str(lister.uid)}
    else:  # a user namespace of its own: a uid neither root of one nor the judge's
        assert not uids & {"0", str(os.getuid())}, status


WHOAMI = """
import getpass, os, pwd


def whoami(x):
    return os.getuid(), pwd.getpwuid(os.getuid()).pw_name, getpass.getuser()
"""


@needs_isolated
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_the_child_is_named_in_its_etc_passwd(tmp_path: Path, warm: bool) -> None:
    # A fresh uid per child, and the template's /etc was written for none of them.
    path = tmp_path / "whoami.py"
    path.write_text(WHOAMI)
    with Sandbox(path, ["whoami"], LIMITS, level="isolated", warm=warm) as box:
        uid, name, user = box.call("whoami", (0,), {}).value
    assert (name, user) == ("sandbox", "sandbox")
    assert uid not in (0, os.getuid())


# -- process hygiene ----------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox
from judge.runner import warm
box = Sandbox(Path(sys.argv[1]), ["ls"], Limits(time_s=30), level="isolated")
box.start()
template = warm._templates[()].marker if box.warm else box.marker
print(template, box.uid, flush=True)
time.sleep(600)
"""


def _marked(marker: str, uid: int | None = None) -> list[int]:
    """Processes carrying the marker in their environment, or running as ``uid``."""
    found = []
    needle = f"METAJUDGE_SANDBOX={marker}".encode()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if uid is not None and entry.stat().st_uid == uid:
                    found.append(int(entry.name))
                    continue
                with open(f"{entry.path}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_isolated
@pytest.mark.slow
def test_a_sigkilled_judge_leaves_no_sandbox_running(tmp_path: Path) -> None:
    submission = tmp_path / "lister.py"
    submission.write_text(textwrap.dedent(LISTER))
    judge = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(submission)], stdout=subprocess.PIPE, text=True
    )
    try:
        marker, uid = judge.stdout.readline().split()
        uid = None if uid == "None" else int(uid)
        assert marker and _marked(marker), "the sandbox should be running"
        assert uid is None or _marked("-", uid), "the child should be running"
    finally:
        judge.send_signal(signal.SIGKILL)
        judge.wait()
    deadline = time.monotonic() + 30
    while _marked(marker, uid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marked(marker, uid) == [], "the sandbox outlived its judge"
    assert not [p for p in Path("/tmp").glob(f"{BOX_PREFIX}{judge.pid}-*")]


# -- as an unprivileged user --------------------------------------------------------------------

AS_USER = """
import json, os, sys
from pathlib import Path
import torch
from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
attacks, folders = Path(sys.argv[1]), json.loads(sys.argv[2])
out = {"isolation": isolation_available(), "uid": os.getuid()}
for warm in (True, False):
    entries = ["ls", "read", "status"]
    with Sandbox(Path(sys.argv[3]), entries, Limits(time_s=60), level="isolated", warm=warm) as box:
        out["how"] = box.isolation
        out["seen"] = {f: box.call("ls", (f,), {}).value for f in folders}
        status = box.call("status", (0,), {}).value
        files = ("/proc/self/uid_map", "/proc/self/gid_map", "/etc/passwd")
        maps = {os.path.basename(f): box.call("read", (f,), {}).value for f in files}
        out["warm" if warm else "cold"] = {"status": status, **maps}
for name in ("list_host_folders.py", "read_host_identity.py", "kill_pid1.py"):
    with Sandbox(attacks / name, ["solve"], Limits(time_s=60), level="isolated") as box:
        try:
            value = box.call("solve", (torch.arange(4.0),), {}).value
            out[name] = "accepted" if torch.equal(value, torch.arange(4.0) * 2) else "wrong"
        except Exception as exc:
            out[name] = type(exc).__name__
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def user_venv(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """A venv an unprivileged user can read: Debian's python3, torch from the local wheels,
    the judge installed from this checkout with its dev extra (editable: the problems and
    tests are read from here). METAJUDGE_USER_VENV names one made that way already (it
    takes minutes to build). Skips where uid 65534 could not read the checkout."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("creating an unprivileged user's run needs root and setpriv")
    readable = subprocess.run([*NOBODY, "test", "-r", str(REPO_ROOT / "judge/verdicts.py")])
    if readable.returncode != 0:
        pytest.skip(f"uid 65534 cannot read the checkout ({REPO_ROOT})")
    if os.environ.get("METAJUDGE_USER_VENV"):
        venv = Path(os.environ["METAJUDGE_USER_VENV"])
        work = Path(tempfile.mkdtemp(prefix="metajudge-user-work-"))
        request.addfinalizer(lambda: shutil.rmtree(work, ignore_errors=True))
        os.chmod(work, 0o755)
        os.chown(work, 65534, 65534)
        return venv, work
    python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    if python is None:
        pytest.skip("no system python3 outside root's home")
    # Not under pytest's basetemp: other pytest runs of the same user prune old ones.
    root = Path(tempfile.mkdtemp(prefix="metajudge-user-venv-"))
    request.addfinalizer(lambda: shutil.rmtree(root, ignore_errors=True))
    os.chmod(root, 0o755)
    venv = root / "venv"
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin/pip"), "install", "-q", "torch==2.13.0"],
        [str(venv / "bin/pip"), "install", "-q", "-e", f"{REPO_ROOT}[dev]"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"cannot set up the venv ({' '.join(step[:3])}): {done.stderr[-500:]}")
    subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
    work = root / "work"
    work.mkdir()
    os.chown(work, 65534, 65534)
    return venv, work


def _as_nobody(
    venv: Path, home: Path, *args: str, timeout: float = 600
) -> subprocess.CompletedProcess:
    env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": str(home), "JUDGE_NO_HISTORY": "1"}
    return subprocess.run(
        [*NOBODY, f"{venv}/bin/python", *args],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=timeout,
    )  # fmt: skip


def _needs_user_namespaces(venv: Path, work: Path) -> None:
    """Skip, saying why, where uid 65534 does not get the isolated level."""
    trial = _as_nobody(venv, work, "-c", "from judge.runner.sandbox import *; "
                       "print(isolation_available())")  # fmt: skip
    if "True" not in trial.stdout:
        pytest.skip(f"no unprivileged user namespaces here: {trial.stdout}{trial.stderr[-300:]}")


@pytest.mark.slow
@pytest.mark.xdist_group("user_venv")  # one worker builds the venv once (--dist loadgroup)
def test_unprivileged_user_gets_the_isolated_level(user_venv: tuple[Path, Path]) -> None:
    user_venv, work = user_venv
    _needs_user_namespaces(user_venv, work)
    solution = "problems/maml-adapt/solution.py"
    graded = _as_nobody(user_venv, work, "-m", "judge", "grade", "maml-adapt", solution, "--json")
    assert graded.stdout.startswith("{"), f"exit {graded.returncode}: {graded.stderr[-3000:]}"
    result = json.loads(graded.stdout)
    assert result["verdict"] == "accepted", graded.stdout[-2000:] + graded.stderr[-2000:]
    assert result["sandbox"]["level"] == "isolated"
    submission = work / "lister.py"
    submission.write_text(textwrap.dedent(LISTER))
    os.chown(submission, 65534, 65534)
    folders = [*HOST_FOLDERS, str(REPO_ROOT.parent), str(user_venv.parent)]
    ran = _as_nobody(
        user_venv, work, "-c", AS_USER, str(REPO_ROOT / "tests/attacks"), json.dumps(folders),
        str(submission),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = json.loads(ran.stdout.strip().splitlines()[-1])
    assert out["how"] == "user namespace"
    for folder, seen in out["seen"].items():
        assert seen in ("FileNotFoundError", []), f"{folder}: {seen}"
    for start in ("warm", "cold"):  # a uid of its own, neither root nor the judge's
        status, uid_map = out[start]["status"], out[start]["uid_map"].split()
        uids = set(status["Uid"].split()) | set(status["Gid"].split())
        assert len(uids) == 1 and uids.pop() not in ("0", str(out["uid"])), (start, status)
        assert uid_map == [status["Uid"].split()[0], "0", "1"], (start, uid_map)
        assert out[start]["gid_map"].split() == [status["Gid"].split()[0], "0", "1"]
        assert f"sandbox:x:{uid_map[0]}:{uid_map[0]}:" in out[start]["passwd"]
        for field in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"):
            assert int(status[field], 16) == 0, (start, field, status[field])
        assert status["NoNewPrivs"].strip() == "1" and status["Seccomp"].strip() == "2"
    assert out["list_host_folders.py"] == "wrong"
    assert out["read_host_identity.py"] == "wrong"
    assert out["kill_pid1.py"] == "SubmissionFailed"


@pytest.mark.slow
@pytest.mark.xdist_group("user_venv")  # one worker builds the venv once (--dist loadgroup)
def test_attack_suite_passes_as_an_unprivileged_user(user_venv: tuple[Path, Path]) -> None:
    """The whole of tests/attacks as uid 65534 (isolated level in a user namespace, and the
    basic level for the attacks run at both), with the venv outside the checkout."""
    venv, work = user_venv
    _needs_user_namespaces(venv, work)
    ran = _as_nobody(
        venv, work, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
        f"--basetemp={work / 'attacks-tmp'}", "tests/attacks", timeout=2400,
    )  # fmt: skip
    summary = ran.stdout.strip().splitlines()[-1] if ran.stdout.strip() else ""
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
    counts = {w: int(n) for n, w in re.findall(r"(\d+) (\w+)", summary.partition(" in ")[0])}
    # nothing skipped (the isolated level ran), failed or deselected
    assert counts.get("passed") and not set(counts) - {"passed", "warning", "warnings"}, summary
    attacks = [
        p for p in (REPO_ROOT / "tests/attacks").glob("*.py") if not p.stem.startswith("test_")
    ]
    assert counts["passed"] >= len(attacks), summary

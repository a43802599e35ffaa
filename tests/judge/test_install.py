"""The built wheel, installed into a fresh venv outside the repo, works from any directory.

The wheel is built from this checkout (no build isolation: setuptools from the running
interpreter, nothing downloaded) and installed without dependencies into a new venv whose
``.pth`` file points at the running interpreter's site-packages for torch and the rest
(as ``--system-site-packages`` would, without a second multi-GB torch). Every command runs
with the venv's own ``judge`` in an empty folder, far from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from judge.resources import DISTRIBUTION

REPO = Path(__file__).resolve().parents[2]
SOLUTION = REPO / "problems" / "maml-adapt" / "solution.py"
STARTER = REPO / "problems" / "maml-adapt" / "starter.py"

pytestmark = pytest.mark.slow
NOT_SOURCES = (
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    "_site", "_demo", ".judge-cache", "test-artifacts", "quick",
)  # fmt: skip


def _run(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUDGE_PROBLEMS")}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False, **kw
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("install")
    # Built from a copy: the build writes build/ and *.egg-info beside its sources, and two
    # test workers may build at once.
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    dist = root / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(source)],
        cwd=root,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("*.whl")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    assert made.returncode == 0, made.stderr
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = _run([str(venv / "bin" / "python"), "-c", where], cwd=root).stdout.strip()
    Path(purelib, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = _run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "-q", "--no-deps", str(wheel)],
        cwd=root,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    work = root / "elsewhere"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "work": work, "site": Path(purelib)}


def test_wheel_carries_the_data_and_the_license(installed: dict[str, Path]) -> None:
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "judge/_data/problems/maml-adapt/hidden_tests.py" in names
    assert "judge/_data/problems/maml-adapt/problem.toml" in names
    assert any(n.startswith("judge/_data/site/") and n.endswith(".html") for n in names)
    assert any(n.startswith("judge/_data/results/") and n.endswith(".json") for n in names)
    assert "judge/runner/harness/child.py" in names
    assert not any("__pycache__" in n for n in names)
    meta = zipfile.ZipFile(installed["wheel"]).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))
    )
    assert f"Name: {DISTRIBUTION}".encode() in meta
    assert b"License-Expression: MIT" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_list_init_and_site_build_from_another_directory(installed: dict[str, Path]) -> None:
    judge, work = str(installed["venv"] / "bin" / "judge"), installed["work"]
    where = _run(
        [str(installed["venv"] / "bin" / "python"), "-c", "import judge; print(judge.__file__)"],
        cwd=work,
    )
    assert where.stdout.startswith(str(installed["site"])), where  # the wheel, not the checkout
    listed = _run([judge, "list", "--json"], cwd=work)
    assert listed.returncode == 0, listed.stderr
    slugs = [p["slug"] for p in json.loads(listed.stdout)]
    assert "maml-adapt" in slugs and "quiz-code-review" in slugs
    init = _run([judge, "init", "maml-adapt", "w"], cwd=work)
    assert init.returncode == 0, init.stderr
    assert (work / "w" / "maml-adapt.py").read_text() == STARTER.read_text()
    site = _run([judge, "site", "build", "--out", "s"], cwd=work)
    assert site.returncode == 0, site.stderr
    assert (work / "s" / "index.html").is_file()
    assert (work / "s" / "p" / "maml-adapt.html").is_file() or any((work / "s").rglob("*maml*"))


def test_grade_at_the_basic_level(installed: dict[str, Path]) -> None:
    judge, work = str(installed["venv"] / "bin" / "judge"), installed["work"]
    basic = ["--level", "basic", "--json"]
    good = _run([judge, "grade", "maml-adapt", str(SOLUTION), *basic], cwd=work)
    assert good.returncode == 0, good.stdout + good.stderr
    assert json.loads(good.stdout)["verdict"] == "accepted"
    bad = _run([judge, "grade", "maml-adapt", str(STARTER), *basic], cwd=work)
    assert bad.returncode == 1 and json.loads(bad.stdout)["verdict"] != "accepted"


STEAL_HIDDEN_TESTS = """
import importlib.metadata

_where = importlib.metadata.distribution("metajudge-practice").locate_file("judge")
try:
    STOLEN = open(f"{_where}/_data/problems/maml-adapt/hidden_tests.py").read()
except PermissionError:  # caught: the guard notices anyway
    STOLEN = ""
"""


def test_the_installed_problems_are_forbidden_at_the_basic_level(
    installed: dict[str, Path],
) -> None:
    """The problems live in the venv's site-packages (under the interpreter's prefix, which
    the child may read): the guard still refuses them, and the judge's own packages."""
    judge, work = str(installed["venv"] / "bin" / "judge"), installed["work"]
    submission = work / "steal.py"
    submission.write_text(SOLUTION.read_text() + STEAL_HIDDEN_TESTS)
    run = _run([judge, "grade", "maml-adapt", str(submission), "--level", "basic", "--json"], work)
    assert json.loads(run.stdout)["verdict"] == "forbidden", run.stdout[-3000:]
    reference = installed["site"] / "reference" / "maml.py"
    submission.write_text(SOLUTION.read_text() + f"\nopen({str(reference)!r}).read()\n")
    run = _run([judge, "grade", "maml-adapt", str(submission), "--level", "basic", "--json"], work)
    assert json.loads(run.stdout)["verdict"] == "forbidden", run.stdout[-3000:]


def _isolation() -> bool:
    from judge.runner.sandbox import isolation_available

    return isolation_available()[0]


def test_grade_at_the_best_level_available(installed: dict[str, Path]) -> None:
    judge, work = str(installed["venv"] / "bin" / "judge"), installed["work"]
    run = _run([judge, "grade", "maml-adapt", str(SOLUTION), "--json"], cwd=work)
    result = json.loads(run.stdout)
    assert result["grading_status"] == "graded", result.get("error")
    assert result["verdict"] == "accepted" and run.returncode == 0
    assert result["sandbox"]["level"] == ("isolated" if _isolation() else "basic")


def test_make_setup_passes_torch_spec_as_words(tmp_path: Path) -> None:
    spec = "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
    dry = subprocess.run(
        ["make", "-n", "-B", "setup", f"TORCH_SPEC={spec}", f"VENV={tmp_path / 'v'}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    line = next(ln for ln in dry.stdout.splitlines() if "torch==" in ln)
    assert line.endswith(f"pip install --quiet {spec}"), line  # not one quoted argument

"""Exercism's test-runner interface v3 and a Gradescope autograder bundle, run as the
platforms run them."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from judge.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SOLUTION = (FIXTURES / "double" / "solution.py").read_text(encoding="utf-8")
TRIPLE = (FIXTURES / "double" / "mistakes" / "triple.py").read_text(encoding="utf-8")


def judge(*args: str) -> tuple[int, str, str]:
    run = CliRunner().invoke(cli, ["--problems", str(FIXTURES), *args])
    return run.exit_code, run.stdout, run.stderr


def check_exercism_v3(data: Any) -> None:
    """Every rule of the interface's results.json, version 3 (fails on any other key)."""
    assert isinstance(data, dict)
    assert set(data) <= {"version", "status", "message", "tests"}, set(data)
    assert data["version"] == 3
    assert data["status"] in ("pass", "fail", "error")
    if data["status"] == "error":
        assert isinstance(data["message"], str) and data["message"]
        assert len(data["message"]) <= 65535
    else:
        assert data.get("message") is None
        assert isinstance(data["tests"], list) and data["tests"]
    tests = data.get("tests", [])
    for test in tests:
        assert set(test) <= {"name", "test_code", "status", "message", "output", "task_id"}
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["test_code"], str) and test["test_code"]
        assert test["status"] in ("pass", "fail", "error")
        assert isinstance(test.get("message", ""), str | type(None))
        if "output" in test:
            assert isinstance(test["output"], str) and len(test["output"]) <= 500
        if "task_id" in test:
            assert isinstance(test["task_id"], int) and test["task_id"] >= 1
    if data["status"] == "pass":
        assert all(t["status"] == "pass" for t in tests)
    if data["status"] == "fail":
        assert any(t["status"] != "pass" for t in tests)


def run_exercism(tmp_path: Path, files: dict[str, bytes], *extra: str) -> tuple[int, dict]:
    inp, out = tmp_path / "input", tmp_path / "output"
    inp.mkdir()
    out.mkdir()
    for name, content in files.items():
        (inp / name).parent.mkdir(parents=True, exist_ok=True)
        (inp / name).write_bytes(content)
    code, _, _ = judge("exercism-run", "double", f"{inp}/", f"{out}/", *extra)
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    check_exercism_v3(data)
    return code, data


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ({"double.py": SOLUTION.encode()}, "pass"),
        ({"double.py": TRIPLE.encode()}, "fail"),
        ({"double.py": b""}, "error"),
        ({"double.py": b"\xff\xfe\x00\x81binary"}, "error"),
        ({"double.py": b"def double(x:\n"}, "error"),
        ({"README.md": b"nothing here"}, "error"),
        ({"a.py": SOLUTION.encode(), "b.py": SOLUTION.encode()}, "error"),
        ({"double.py": SOLUTION.encode(), ".meta/config.json": b"{}"}, "pass"),
    ],
)
def test_exercism_run_always_writes_v3_results_and_exits_0(
    tmp_path: Path, files: dict[str, bytes], status: str
) -> None:
    code, data = run_exercism(tmp_path, files, "--level", "in-process", "--tests", "public")
    assert code == 0
    assert data["status"] == status
    if status == "pass":  # public tests: the test's own code is shown
        assert "double" in data["tests"][0]["test_code"]


def test_exercism_run_uses_the_meta_config_solution(tmp_path: Path) -> None:
    config = json.dumps({"files": {"solution": ["my_answer.py"]}}).encode()
    files = {"my_answer.py": SOLUTION.encode(), "other.py": b"", ".meta/config.json": config}
    code, data = run_exercism(tmp_path, files, "--level", "in-process")
    assert code == 0 and data["status"] == "pass"


@pytest.mark.slow
def test_exercism_output_holds_the_candidates_prints(tmp_path: Path) -> None:
    chatty = "def double(x):\n    print('checking ' + 'x' * 600)\n    return 3 * x\n"
    code, data = run_exercism(tmp_path, {"double.py": chatty.encode()}, "--level", "basic")
    assert code == 0 and data["status"] == "fail"
    outputs = [t["output"] for t in data["tests"] if "output" in t]
    assert len(outputs) == 1 and outputs[0].startswith("checking xxx")
    assert outputs[0].endswith("Output was truncated. Please limit to 500 chars")
    assert not any("hint" in t.get("output", "") for t in data["tests"])


def test_exercism_task_ids_for_a_quiz(tmp_path: Path) -> None:
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    answers = (FIXTURES / "quiz-tiny" / "answers.toml").read_bytes()
    (inp / "quiz-tiny.toml").write_bytes(answers)
    code, _, _ = judge("exercism-run", "quiz-tiny", str(inp), str(out))
    data = json.loads((out / "results.json").read_text())
    check_exercism_v3(data)
    assert code == 0 and data["status"] in ("pass", "fail")  # the answer key's free text
    assert [t["task_id"] for t in data["tests"]] == list(range(1, len(data["tests"]) + 1))


GRADESCOPE_TOP = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
GRADESCOPE_TEST = {
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data",
}  # fmt: skip


def autograder_root(tmp_path: Path, bundle: Path, submission: dict[str, bytes]) -> Path:
    """A fresh folder laid out as Gradescope's /autograder after its image build."""
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
        mode = z.getinfo("run_autograder").external_attr >> 16
    assert mode & stat.S_IXUSR, "run_autograder must be executable in the zip"
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, content in submission.items():
        (root / "submission" / name).write_bytes(content)
    return root


@pytest.mark.slow
@pytest.mark.parametrize(
    ("submission", "score"),
    [({"double.py": SOLUTION.encode()}, 10.0), ({"double.py": b""}, 0.0)],
)
def test_gradescope_bundle_runs_in_a_fresh_autograder_folder(
    tmp_path: Path, submission: dict[str, bytes], score: float
) -> None:
    bundle = tmp_path / "double.zip"
    code, _, err = judge("gradescope-bundle", "double", "--out", str(bundle))
    assert code == 0, err
    names = zipfile.ZipFile(bundle).namelist()
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)
    requirements = zipfile.ZipFile(bundle).read("requirements.txt").decode()
    assert "click" in requirements and "numpy" in requirements and "torch" not in requirements
    assert "download.pytorch.org/whl/cpu" in zipfile.ZipFile(bundle).read("setup.sh").decode()
    assert "vendor/judge/_data/problems/double/hidden_tests.py" in names
    assert not any(n.startswith("vendor/judge/_data/problems/maml") for n in names)
    root = autograder_root(tmp_path, bundle, submission)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUDGE_PROBLEMS")}
    env |= {"AUTOGRADER_ROOT": str(root), "JUDGE_PYTHON": sys.executable}
    run = subprocess.run(
        [str(root / "run_autograder")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert set(data) <= GRADESCOPE_TOP
    assert all(set(t) <= GRADESCOPE_TEST for t in data["tests"])
    assert data["score"] == score
    assert sum(t["max_score"] for t in data["tests"]) == 10.0

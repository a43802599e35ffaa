"""`check_problem` over every problem folder: the folder is complete, the reference solution
and every alternative are accepted, the starter is rejected, and every known mistake is
rejected with its own hint.

The solution goes through the real path (the sandbox) on the hidden tests; the
alternatives, the starter and the mistakes are the problem's own trusted files and run
in-process, which proves the same tests and hints at a fraction of the CI time (`judge
check-problems` without --fast runs them all in the sandbox).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from judge.checking import PARTS, check_problem
from judge.problems import REPO_PROBLEMS, load_problem

FOLDERS = sorted(p for p in REPO_PROBLEMS.glob("*") if (p / "problem.toml").is_file())


def is_outcome(folder: Path) -> bool:
    """Outcome problems (tag "outcome") train a model in every run: minutes, not seconds."""
    return '"outcome"' in (folder / "problem.toml").read_text(encoding="utf-8")


def params() -> list:
    return [
        pytest.param(f, id=f.name, marks=[pytest.mark.slow] if is_outcome(f) else [])
        for f in FOLDERS
    ]


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("folder", params())
def test_check_problem(folder: Path) -> None:
    problem = load_problem(folder)
    # An outcome problem's alternatives and mistakes each train a model: `judge
    # check-problems` checks them; CI checks its solution (sandboxed) and starter.
    parts = ("solution", "starter") if "outcome" in problem.tags else PARTS
    result = check_problem(problem, level="auto", others_level="in-process", parts=parts)
    failures = "\n".join(f"{i.file}: expected {i.expected}; {i.message}" for i in result.failures)
    assert result.ok, f"{problem.slug}:\n{failures}"

"""Hidden tests draw their inputs from a per-grade seed: every seed must be fair.

For each code problem, the solution and every alternative are graded on the hidden tests
over 20 seeds (in-process: they are the problem's own trusted files) and must be accepted
each time, so that no threshold is tuned to one draw. Outcome problems (which train a model
in every run) are left out: their hidden tests do not ask for the seed.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest
import torch

from judge.grading import SEED_RANGE, Session, grade
from judge.problems import REPO_PROBLEMS, load_problem

FOLDERS = sorted(p for p in REPO_PROBLEMS.glob("*") if (p / "problem.toml").is_file())
SEEDS = [0, 1, SEED_RANGE - 1, *random.Random(13).sample(range(SEED_RANGE), 17)]


def seeded(folder: Path) -> bool:
    """A code problem whose hidden tests ask for the ``seed`` fixture."""
    tests = folder / "hidden_tests.py"
    if not tests.is_file():
        return False
    tree = ast.parse(tests.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef)
        and node.name.startswith("test_")
        and "seed" in [a.arg for a in node.args.args]
        for node in tree.body
    )


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
@pytest.mark.parametrize("folder", [f for f in FOLDERS if seeded(f)], ids=lambda f: f.name)
def test_solution_and_alternatives_accepted_on_every_seed(folder: Path) -> None:
    problem = load_problem(folder)
    session = Session(problem)
    rejected = []
    for seed in SEEDS:
        for path in (problem.solution, *problem.alternatives):
            result = grade(problem, path, level="in-process", session=session, seed=seed)
            assert result.seed == seed
            if not result.accepted:
                failing = next((t for t in result.tests if t.verdict != "accepted"), None)
                why = result.error or (f"{failing.name}: {failing.message}" if failing else "")
                rejected.append(f"seed {seed}: {path.name}: {why}")
    assert not rejected, "\n".join(rejected)


def test_seeded_problems_are_found() -> None:
    """The selection above is not empty by accident (a renamed fixture would empty it)."""
    assert sum(seeded(f) for f in FOLDERS) >= 10

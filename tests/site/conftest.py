"""Shared fixtures for the study-site tests: one build of the fixture problems and one of
the repository's problems per session (each build takes about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.problems import load_problem
from judge.site import BuildSummary, build_site, site_problems

HERE = Path(__file__).resolve().parent
FIXTURE_PROBLEMS = HERE / "fixtures" / "problems"
FIXTURE_RESULTS = HERE / "fixtures" / "results"


def fixture_problems() -> list:
    return [load_problem(p) for p in sorted(FIXTURE_PROBLEMS.iterdir()) if p.is_dir()]


def repo_problems() -> list:
    """The repository's problems that load (folders still being written are skipped)."""
    return site_problems()[0]


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    out = tmp_path_factory.mktemp("fixture-site") / "_site"
    return out, build_site(out, fixture_problems(), results_dir=FIXTURE_RESULTS)


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    out = tmp_path_factory.mktemp("repo-site") / "_site"
    return out, build_site(out, repo_problems())

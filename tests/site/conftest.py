"""Fixtures for the study-site tests: one build of the fixture problems and one of the
repository's problems per session (each build takes about a second). Shared helpers live in
site_helpers.py (a module name no other test folder uses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import FIXTURE_RESULTS, fixture_problems, repo_problems

from judge.site.build import BuildSummary, build_site


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    out = tmp_path_factory.mktemp("fixture-site") / "_site"
    return out, build_site(out, fixture_problems(), results_dir=FIXTURE_RESULTS)


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    out = tmp_path_factory.mktemp("repo-site") / "_site"
    return out, build_site(out, repo_problems())

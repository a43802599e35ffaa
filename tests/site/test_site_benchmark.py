"""Smoke test of benchmarks/site_build.py (one quick build, through a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_site_build_benchmark_quick(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "benchmarks/site_build.py", "--quick", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads((tmp_path / "site_build.json").read_text())
    assert data["repeats"] == 1 and len(data["build_seconds"]) == 1
    assert "index.html" in data["page_bytes"] and all(n > 0 for n in data["page_bytes"].values())
    markdown = (tmp_path / "site_build.md").read_text()
    assert "## Bytes per page" in markdown and "| index.html |" in markdown
    assert "median build (s)" in run.stdout

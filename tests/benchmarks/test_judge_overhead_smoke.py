"""benchmarks/judge_overhead.py runs end to end in --quick mode (through subprocess) and writes
its JSON and Markdown. Checks the plumbing and the shape of the results, never timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "judge_overhead.py"


@pytest.mark.slow
def test_quick_run_writes_results(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    markdown = (tmp_path / "judge_overhead.md").read_text()
    assert markdown.startswith("# ") and markdown in run.stdout
    data = json.loads((tmp_path / "judge_overhead.json").read_text())
    assert [r["problem"] for r in data["rows"]] == ["maml-adapt"]
    for key in ("sandbox_s", "in_process_s", "ratio", "level", "sandbox_verdict"):
        assert key in data["rows"][0]
    assert data["whole_set"]["ratio"] > 0
    assert data["cli"]["wall_s"] > 0 and "machine" in data
    assert data["torch_import_s"] > 0 and data["cli_cold"]["wall_s"] > 0
    assert set(data["cli_over_import"]) == {"warm", "cold"}

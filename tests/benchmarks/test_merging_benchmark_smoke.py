"""The merging benchmark (alignment, TIES, DARE) runs end to end in its --quick mode through
subprocess and writes JSON, Markdown and PNG. This checks the plumbing and the shape of the
results, never timings or findings (a quick run is too short to reproduce the findings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_quick_run_writes_results(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "merging.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    markdown = (tmp_path / "merging.md").read_text()
    assert markdown.startswith("# ") and markdown in result.stdout
    data = json.loads((tmp_path / "merging.json").read_text())
    for key in ["alignment", "interference", "findings", "machine", "config"]:
        assert key in data
    alignment = data["alignment"]
    assert len(alignment["loss_plain"]) == len(alignment["loss_aligned"]) == 11
    # B aligned to A is B with its hidden units reordered: the same function, the same accuracy
    pair = alignment["per_pair"][0]
    assert pair["B aligned to A (same function)"] == pair["model B"]
    assert set(data["interference"]["ties"]) == {str(d) for d in data["config"]["densities"]}
    assert set(data["interference"]["dare"]) == {str(p) for p in data["config"]["drop_rates"]}
    # DARE at drop rate 0 is task arithmetic, scale for scale
    assert (
        data["interference"]["dare"]["0.0"]["all"] == data["interference"]["task_arithmetic"]["all"]
    )
    findings = data["findings"]
    assert findings and all(f.startswith(("HELD", "DID NOT HOLD")) for f in findings)
    assert all(f in markdown for f in findings)  # each finding is stated, not hidden
    assert (tmp_path / "merging.png").stat().st_size > 1000

"""The distillation, compression, efficiency and fusion benchmarks run end to end in their
--quick mode (through subprocess) and write JSON, Markdown and PNG (efficiency: tables only).
These check the plumbing and the shape of the results, never timings or findings (a quick run
is too short to reproduce the findings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, keys",
    [
        ("distillation", ["teacher_test_accuracy", "summary_percent", "temperature_sweep_percent"]),
        ("compression", ["pruning_percent", "bytes", "low_rank_percent"]),
        ("fusion", ["soups", "independent_inits", "task_arithmetic"]),
        ("efficiency", ["structured_pruning", "two_four_percent", "qat_percent", "lora_percent"]),
    ],
)
def test_quick_run_writes_results(tmp_path: Path, name: str, keys: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    markdown = (tmp_path / f"{name}.md").read_text()
    assert markdown.startswith("# ") and markdown in result.stdout
    data = json.loads((tmp_path / f"{name}.json").read_text())
    for key in [*keys, "findings", "machine"]:
        assert key in data
    findings = data["findings"]
    assert findings and all(f.startswith(("HELD", "DID NOT HOLD")) for f in findings)
    assert all(f in markdown for f in findings)  # each finding is stated, not hidden
    if name != "efficiency":  # tables only
        assert (tmp_path / f"{name}.png").stat().st_size > 1000

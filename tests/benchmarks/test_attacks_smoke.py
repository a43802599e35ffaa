"""benchmarks/attacks.py runs end to end in --quick mode and records what the README quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "attacks.py"


def test_quick_run_writes_results(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads((tmp_path / "attacks.json").read_text())
    assert data["quick"] and len(data["rows"]) == 3
    for row in data["rows"]:
        assert row["exit"] in (0, 1) and row["verdict"] in ("runtime_error", "compile_error")
        assert row["peak_mib"] > 0
    assert "| attack |" in (tmp_path / "attacks.md").read_text()
